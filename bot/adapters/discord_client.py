"""Discord adapter on discord.py: /ask, /quote, /sources, mentions and DMs, answered with embeds.

Safety policy is set once, on the client: default intents only (no privileged ones) and
AllowedMentions.none(), which discord.py merges into every message and interaction reply.
"""

from __future__ import annotations

import asyncio
import logging
import re

import aiohttp
import discord
from discord import app_commands

from bot.adapters.reconnect import Outage, Stopped, connect_with_backoff, unless_stopped
from bot.config import Config
from bot.core.answers import Answer
from bot.core.assistant import QuoteAnswer
from bot.core.claims import Verdict
from bot.errors import ConfigError
from bot.service import Service

log = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024
TITLE_LIMIT = 256
AUTOCOMPLETE_CHOICES = 25
# What the bot needs in a channel, and nothing more.
PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, send_messages_in_threads=True,
                                  embed_links=True, read_message_history=True)
SCOPES = ("bot", "applications.commands")
APOLOGY = "Sorry, something went wrong while answering. Please try again in a moment."
CHECK_COMMAND = "Check against coverage"  # the message command (right-click → Apps)
HOW_TO_ASK = ("Mention me (reply to one of my answers to follow up), send me a DM, or use /ask; /quote gives "
              "a direct quote, /summary sums up the coverage and /sources lists the articles.")
_USER_MENTION = re.compile(r"<@!?\d+>|<@&\d+>|<#\d+>|@everyone\b|@here\b")


# ---- pure translators ---------------------------------------------------------------------------
def is_addressed_to(message_is_dm: bool, mentions_bot: bool, author_is_bot: bool) -> bool:
    """Answer DMs and guild messages that mention the bot; never bots (no bot-to-bot loops)."""
    return not author_is_bot and (message_is_dm or mentions_bot)


def to_question(content: str) -> str:
    """The question in a message: user, role and channel mentions removed."""
    return " ".join(_USER_MENTION.sub(" ", content or "").split())


def to_embed(reply: Answer | QuoteAnswer | Verdict, asked: str | None = None) -> discord.Embed:
    """An embed: the answer as its description, the sources as linked lines, within Discord's limits."""
    embed = discord.Embed(description=_trim(reply.answer, DESCRIPTION_LIMIT),
                          colour=discord.Colour.light_grey() if reply.abstained else discord.Colour.blurple())
    if asked:
        embed.title = _trim(asked, TITLE_LIMIT)
    if reply.citations:
        lines = []
        for n, c in enumerate(reply.citations, start=1):
            date = f", {c.published}" if c.published else ""
            label = discord.utils.escape_markdown(f"{c.outlet} — {c.title}{date}")
            label = label.replace("[", "\\[").replace("]", "\\]")  # brackets would end the link text
            lines.append(f"[{n}] [{label}]({c.url})")
        embed.add_field(name="Sources", value=_trim("\n".join(lines), FIELD_LIMIT), inline=False)
    return embed


def invite_url(application_id: str) -> str:
    """The OAuth2 URL that adds the bot with exactly the scopes and permissions it needs."""
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)


def _trim(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


# ---- 👍/👎 buttons --------------------------------------------------------------------------------------
class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button], template=r"feedback:(?P<vote>up|down):(?P<answer>\w+)"):
    """A vote button whose custom_id carries the answer's id: registered as a dynamic item, a click
    is handled even on an answer posted before a restart (no view state to lose)."""

    def __init__(self, vote: str, answer_id: str):
        label = "👍 Helpful" if vote == "up" else "👎 Not helpful"
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary,
                                           custom_id=f"feedback:{vote}:{answer_id}"))
        self.vote, self.answer_id = vote, answer_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match, /):
        return cls(match["vote"], match["answer"])

    async def callback(self, interaction: discord.Interaction) -> None:
        service = getattr(interaction.client, "service", None)
        stored = service is not None and service.vote(self.answer_id, platform="discord",
                                                      user=str(interaction.user.id), up=self.vote == "up")
        note = ("Thanks, noted as helpful." if self.vote == "up" else "Thanks, noted as not helpful.") if stored \
            else "Thanks; that answer is too old to take a vote on."
        await interaction.response.send_message(note, ephemeral=True)


def feedback_view(answer_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton("up", answer_id))
    view.add_item(FeedbackButton("down", answer_id))
    return view


# ---- the client -----------------------------------------------------------------------------------
class DiscordBot(discord.Client):
    """A discord.Client with the app commands registered and message replies wired to the Service."""

    def __init__(self, service: Service, config: Config, outage: Outage | None = None):
        super().__init__(intents=discord.Intents.default(), allowed_mentions=discord.AllowedMentions.none())
        self.service = service
        self.config = config
        self.outage = outage
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self._on_command_error
        self._add_commands()

    async def setup_hook(self) -> None:
        self.add_dynamic_items(FeedbackButton)
        if self.config.discord_guild_id:
            # one server, instantly: handy for trying the bot out
            guild = discord.Object(id=int(self.config.discord_guild_id))
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()  # global commands can take a while to appear everywhere

    async def on_ready(self) -> None:
        log.info("discord: connected as %s; invite: %s", self.user, invite_url(str(self.application_id)))

    async def on_connect(self) -> None:  # READY: a new gateway session (the first one too)
        if self.outage is not None:
            self.outage.recovered()

    async def on_resumed(self) -> None:  # RESUMED: the old session continues after a drop
        await self.on_connect()

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or (self.user is not None and message.author.id == self.user.id):
            return
        is_dm = message.guild is None
        mentioned = self.user is not None and any(u.id == self.user.id for u in message.mentions)
        if not is_addressed_to(is_dm, mentioned, message.author.bot):
            return
        # A DM is one conversation (until it goes quiet); in a server, a reply to one of the bot's
        # answers continues that answer's conversation, and any other mention starts one.
        replied_to = message.reference.message_id if message.reference is not None else None
        if is_dm:
            thread, continues = f"dm:{message.channel.id}", True
        elif replied_to is not None:
            thread, continues = f"msg:{replied_to}", True
        else:
            thread, continues = f"msg:{message.id}", False
        try:
            async with self.service.handling():
                answer = self.service.ask(to_question(message.content), platform="discord",
                                          user=str(message.author.id), conversation=str(message.channel.id),
                                          thread=thread, continues=continues, how_to=HOW_TO_ASK)
                answer_id = self.service.posted(answer, platform="discord", user=str(message.author.id),
                                                conversation=str(message.channel.id))
                sent = await message.reply(embed=to_embed(answer), view=feedback_view(answer_id), mention_author=False)
                if not is_dm:
                    self.service.continue_as("discord", thread, f"msg:{sent.id}")
        except discord.HTTPException:
            log.exception("discord: could not reply to a message")
        except Exception:
            log.exception("discord: answering a message failed")
            await _try(message.reply(APOLOGY, mention_author=False))

    async def on_error(self, event_method: str, /, *args, **kwargs) -> None:
        log.exception("discord: error in %s", event_method)  # keep the connection up

    async def _on_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        log.error("discord: command failed", exc_info=error)
        if not interaction.response.is_done():
            await _try(interaction.response.send_message(APOLOGY, ephemeral=True))

    def _add_commands(self) -> None:
        service = self.service

        @self.tree.command(name="ask")
        @app_commands.describe(question="What you want to know about the coverage")
        async def ask(interaction: discord.Interaction, question: app_commands.Range[str, 1, 500]) -> None:
            """Ask a question; the answer cites the outlets it comes from."""
            async with service.handling():
                answer = service.ask(question, platform="discord", user=str(interaction.user.id),
                                     conversation=str(interaction.channel_id), how_to=HOW_TO_ASK)
                answer_id = service.posted(answer, platform="discord", user=str(interaction.user.id),
                                           conversation=str(interaction.channel_id))
                await interaction.response.send_message(embed=to_embed(answer, asked=question),
                                                        view=feedback_view(answer_id))

        @self.tree.command(name="quote")
        @app_commands.describe(topic="A topic or a speaker; leave empty for a random quote")
        async def quote(interaction: discord.Interaction, topic: str | None = None) -> None:
            """A direct quote from the coverage, with its speaker and outlet."""
            async with service.handling():
                found = service.quote(topic or "", platform="discord", user=str(interaction.user.id),
                                      conversation=str(interaction.channel_id))
                answer_id = service.posted(found, platform="discord", user=str(interaction.user.id),
                                           conversation=str(interaction.channel_id))
                await interaction.response.send_message(embed=to_embed(found, asked=topic or None),
                                                        view=feedback_view(answer_id))

        @quote.autocomplete("topic")
        async def quote_topics(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            wanted = current.lower()
            names = [t for t in service.quote_topics() if wanted in t.lower()]
            return [app_commands.Choice(name=_trim(t, 100), value=_trim(t, 100))
                    for t in names[:AUTOCOMPLETE_CHOICES]]

        @self.tree.command(name="summary")
        async def summary(interaction: discord.Interaction) -> None:
            """What several outlets report alike, and where they disagree."""
            async with service.handling():
                found = service.summary(platform="discord", user=str(interaction.user.id),
                                        conversation=str(interaction.channel_id))
                answer_id = service.posted(found, platform="discord", user=str(interaction.user.id),
                                           conversation=str(interaction.channel_id))
                await interaction.response.send_message(embed=to_embed(found, asked="Summary of the coverage"),
                                                        view=feedback_view(answer_id))

        async def check(interaction: discord.Interaction, message: discord.Message) -> None:
            """A message checked against the coverage, shown only to whoever asked."""
            async with service.handling():
                verdict = service.verify(to_question(message.content), platform="discord",
                                         user=str(interaction.user.id), conversation=str(interaction.channel_id))
                await interaction.response.send_message(embed=to_embed(verdict, asked="Checked against the coverage"),
                                                        ephemeral=True)

        self.tree.add_command(app_commands.ContextMenu(name=CHECK_COMMAND, callback=check))

        @self.tree.command(name="sources")
        async def sources(interaction: discord.Interaction) -> None:
            """The articles the bot knows, with links."""
            text = service.sources_text()
            embed = discord.Embed(title="Sources", description=_trim(text, DESCRIPTION_LIMIT))
            await interaction.response.send_message(embed=embed, ephemeral=True)


async def _try(coroutine) -> None:
    try:
        await coroutine
    except Exception:
        log.exception("discord: could not send a reply")


CHECK = "the network, a firewall or proxy, and DISCORD_API_URL"
# discord.py's own reconnect loop logs each attempt with a traceback, beginning so.
RETRY_MESSAGES = ("Attempting a reconnect",)
RETRYABLE = (OSError, aiohttp.ClientError, asyncio.TimeoutError, discord.GatewayNotFound, discord.DiscordServerError)
TOKEN_REJECTED = ConfigError(["DISCORD_TOKEN was rejected by Discord; copy it again from Developer Portal → "
                              "Bot → Reset Token"])
AUTHENTICATION_FAILED = 4004  # the gateway's close code for a bad token


async def run_discord(service: Service, config: Config, stop: asyncio.Event) -> None:
    """Log in (retrying while Discord cannot be reached) and stay connected until stop is set.

    Each login attempt has a client of its own, closed when it fails, so no session is left open.
    Once connected, discord.py resumes after drops by itself; its retry records become one line an
    outage. A rejected token ends the adapter with a ConfigError naming DISCORD_TOKEN."""
    discord.http.Route.BASE = config.discord_api_url.rstrip("/")
    outage = Outage("discord", CHECK, RETRY_MESSAGES)
    library_log = logging.getLogger("discord.client")
    library_log.addFilter(outage)
    try:
        client = await connect_with_backoff(lambda: _logged_in(service, config, outage), outage, stop, RETRYABLE)
        try:
            await unless_stopped(client.connect(), stop)
        except discord.ConnectionClosed as exc:
            if exc.code == AUTHENTICATION_FAILED:
                raise TOKEN_REJECTED from None
            raise ConfigError([f"Discord closed the connection (code {exc.code}: {exc.reason or 'no reason'})"]) \
                from None
        finally:
            await client.close()
    except Stopped:
        return
    finally:
        library_log.removeFilter(outage)


async def _logged_in(service: Service, config: Config, outage: Outage) -> DiscordBot:
    """A new client, logged in and its commands synced; closed again if any of that fails."""
    client = DiscordBot(service, config, outage)
    try:
        await client.login(config.discord_token)
    except discord.LoginFailure:
        await client.close()
        raise TOKEN_REJECTED from None
    except BaseException:
        await client.close()
        raise
    return client
