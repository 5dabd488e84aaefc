"""The platform-free core: knowledge, retrieval, answers and quotes."""
