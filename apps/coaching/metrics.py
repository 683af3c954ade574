"""Coaching metrics: customer outcomes of the conversations an agent handled, observable behaviour in what the
agent wrote, and the agent's exposure to hostile conversations.

Every threshold lives here, once, and is shown next to the figures it produces. Nothing here scores or infers
an agent's emotional state: agents' messages are only searched for the phrases below (what was said), and the
only emotion scores read are the customers' (EU AI Act Art. 5(1)(f)).

A *conversation* is a thread (``Message.thread_id`` within a source) in which the agent wrote at least one
message during the period. The work is three queries for any number of agents, whatever the number of threads:
the agents' messages, the customers' messages of those threads with their current scores, and the threads
those customers opened afterwards.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import CharField, FilteredRelation, Min, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat, Lower, NullIf
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.sources.choices import AuthorRole, MessageStatus
from apps.sources.models import Message

# --- thresholds (one place; the pages and the API show them) ------------------------------------------------

#: A customer's valence below this is negative, above POSITIVE_ABOVE positive, neutral in between (-1..1).
NEGATIVE_BELOW = -0.2
POSITIVE_ABOVE = 0.2
#: A conversation is hostile when the customer's first scored message is dominated by one of these emotions …
HOSTILE_EMOTIONS = ("anger", "disgust")
#: … or is at least this negative, whatever its dominant emotion.
HOSTILE_VALENCE = -0.6
#: The same contact opening another thread within this many days after the agent's last reply is a repeat contact.
REPEAT_CONTACT_DAYS = 7
#: A shift is a run of the agent's messages with no gap longer than this.
SHIFT_GAP_HOURS = 4
#: Flag for support: this many hostile conversations in a row within one shift …
EXPOSURE_RUN_FLAG = 3
#: … or at least this share of the period's conversations hostile, once there are EXPOSURE_SHARE_MIN of them.
EXPOSURE_SHARE_FLAG = 0.4
EXPOSURE_SHARE_MIN = 5
#: The longest custom period a page or the API computes.
MAX_PERIOD_DAYS = 366
PRESET_DAYS = (7, 30, 90)

#: Observable behaviour: phrases searched for (whole words, any case) in the agent's public replies.
ACKNOWLEDGEMENT_PHRASES = (
    "i understand",
    "i can see why",
    "i can imagine",
    "that sounds frustrating",
    "i hear you",
    "thank you for your patience",
    "thanks for your patience",
    "thanks for bearing with",
    "thank you for bearing with",
    "you're right",
)
APOLOGY_PHRASES = ("sorry", "apologise", "apologize", "apologised", "apologized", "apologies")


def _phrase_pattern(phrases: Sequence[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


ACKNOWLEDGEMENT = _phrase_pattern(ACKNOWLEDGEMENT_PHRASES)
APOLOGY = _phrase_pattern(APOLOGY_PHRASES)


def behaviour_tags(text: str) -> set[str]:
    """Which observable behaviours a reply shows: ``acknowledgement`` and/or ``apology`` (phrase matching only)."""
    tags = set()
    if ACKNOWLEDGEMENT.search(text or ""):
        tags.add("acknowledgement")
    if APOLOGY.search(text or ""):
        tags.add("apology")
    return tags


def valence_band(valence: float | None) -> str | None:
    """negative, neutral or positive (None when unscored), by the thresholds above."""
    if valence is None:
        return None
    if valence < NEGATIVE_BELOW:
        return "negative"
    if valence > POSITIVE_ABOVE:
        return "positive"
    return "neutral"


def thresholds() -> dict:
    """The thresholds, for pages and the API to show beside the figures."""
    return {
        "negative_below": NEGATIVE_BELOW,
        "positive_above": POSITIVE_ABOVE,
        "hostile_emotions": list(HOSTILE_EMOTIONS),
        "hostile_valence": HOSTILE_VALENCE,
        "repeat_contact_days": REPEAT_CONTACT_DAYS,
        "shift_gap_hours": SHIFT_GAP_HOURS,
        "exposure_run_flag": EXPOSURE_RUN_FLAG,
        "exposure_share_flag": EXPOSURE_SHARE_FLAG,
        "exposure_share_min": EXPOSURE_SHARE_MIN,
        "acknowledgement_phrases": list(ACKNOWLEDGEMENT_PHRASES),
        "apology_phrases": list(APOLOGY_PHRASES),
    }


#: What each figure measures, why it is there, and how it could mislead: shown next to it, everywhere.
EXPLANATIONS: dict[str, dict[str, str]] = {
    "conversations": {
        "label": _("Conversations"),
        "what": _("Threads in which the agent wrote at least one message during the period."),
        "why": _("The base every other figure is a share of."),
        "mislead": _("Volume is not quality: it depends on the queue, the channel and the shift, not on the agent."),
    },
    "recovery_rate": {
        "label": _("Recovery rate"),
        "what": format_lazy(
            _(
                "Of the conversations whose customer started negative (valence below {neg}) and wrote again after "
                "the agent's first reply, the share whose last customer message was neutral or positive."
            ),
            neg=NEGATIVE_BELOW,
        ),
        "why": _("Turning a bad moment around is what builds the relationship; it rewards the hard conversations."),
        "mislead": _(
            "A customer who stops writing has no known outcome and is left out; scores are estimates from text, "
            "and some problems cannot be fixed by the agent at all."
        ),
    },
    "valence_change": {
        "label": _("Average change in customer valence"),
        "what": _("Last minus first scored customer message, averaged over conversations where both exist (-2..2)."),
        "why": _("How customers' tone moved while the agent was involved, positive or negative."),
        "mislead": _("An average hides the individual conversations: read the list below, not only this figure."),
    },
    "repeat_contact_rate": {
        "label": _("Repeat contact"),
        "what": format_lazy(
            _(
                "Share of conversations whose customer opened another thread within {days} days after the "
                "agent's last reply."
            ),
            days=REPEAT_CONTACT_DAYS,
        ),
        "why": _("A problem solved for good does not come back; lower is usually better."),
        "mislead": _(
            "Customers also come back with new, unrelated questions, or because a colleague asked them to; "
            "a proactive follow-up invitation raises it for good reasons."
        ),
    },
    "acknowledgement_rate": {
        "label": _("Acknowledgement language"),
        "what": _("Share of conversations where the agent's public replies contain an acknowledgement phrase."),
        "why": _("Naming the customer's situation is observable, teachable behaviour that helps recovery."),
        "mislead": _(
            "It is phrase matching of what was written, not sincerity: formulaic use scores as well as real "
            "empathy, and plain helpful answers need none. Not a target to maximise."
        ),
    },
    "apology_rate": {
        "label": _("Apology language"),
        "what": _("Share of conversations where the agent's public replies contain an apology phrase."),
        "why": _("An apology where something went wrong on our side is part of repairing trust."),
        "mislead": _("Apologising for everything is not better: compare with how the conversations started."),
    },
    "hostile": {
        "label": _("Hostile conversations"),
        "what": format_lazy(
            _(
                "Conversations whose customer's first scored message was dominated by anger or disgust, or had a "
                "valence of {hostile} or lower."
            ),
            hostile=HOSTILE_VALENCE,
        ),
        "why": _("Exposure to distress is a load on the agent: supervisors use it to offer support, not to judge."),
        "mislead": _("Routing decides most of it; a high figure says something about the queue, not the agent."),
    },
    "longest_hostile_run": {
        "label": _("Longest run of hostile conversations"),
        "what": format_lazy(
            _(
                "The most hostile conversations in a row, in the order the agent first replied to them; per shift "
                "(no gap over {gap} hours between the agent's messages) as well as over the period."
            ),
            gap=SHIFT_GAP_HOURS,
        ),
        "why": format_lazy(
            _(
                "Several hostile conversations back to back, with no break, is when a check-in or a rotation helps "
                "most. {run} in a row within one shift raises the support flag."
            ),
            run=EXPOSURE_RUN_FLAG,
        ),
        "mislead": _("Shifts are inferred from message times, not from the rota."),
    },
}

#: What is deliberately not measured, and why (shown on the pages).
NOT_USED: tuple[tuple[str, str], ...] = (
    (
        _("Sales conversion and upsell"),
        _(
            "Rewarding sales in support conversations pushes customers toward purchases when they came for help, "
            "and would reward exploiting a distressed customer. Coaching measures whether the customer was helped."
        ),
    ),
    (
        _("Handle time on its own"),
        _(
            "Short conversations are easy to produce by closing early, which drives repeat contacts and harms "
            "the relationship; time is never a target here."
        ),
    ),
    (
        _("Any emotion of the agent"),
        _(
            "Agents' messages are never emotion-scored: the product scores customers' words, not employees' "
            "feelings (EU AI Act Art. 5(1)(f)). Behaviour is what was written, found by phrase matching."
        ),
    ),
)


# --- periods ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole days, ``start`` to ``end`` inclusive, in the site's time zone."""

    start: dt.date
    end: dt.date
    preset: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start of the first day, start of the day after the last)."""
        tz = timezone.get_current_timezone()
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        return first, dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)

    def query(self) -> str:
        return f"period={self.preset}" if self.preset else f"period=custom&from={self.start}&to={self.end}"


def period_last(days: int, *, today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(today - dt.timedelta(days=days - 1), today, preset=str(days))


def period_between(start: dt.date, end: dt.date, *, today: dt.date | None = None) -> Period:
    """A custom period; ValueError saying what is wrong with it."""
    today = today or timezone.localdate()
    if start > end:
        raise ValueError(_("The period ends before it starts."))
    if start > today:
        raise ValueError(_("The period starts in the future."))
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValueError(_("A period is at most %(days)s days.") % {"days": MAX_PERIOD_DAYS})
    return Period(start, end)


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(_("%(name)s must be a date as YYYY-MM-DD.") % {"name": name}) from None


def period_parse(params: Mapping[str, str], *, today: dt.date | None = None, default_days: int = 30) -> Period:
    """``period=7|30|90`` (days up to today) or ``from``/``to`` dates; ValueError saying what is wrong."""
    preset = (params.get("period") or "").strip()
    start, end = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    if preset in ("", "custom") and (start or end):
        if not (start and end):
            raise ValueError(_("A custom period needs both from and to."))
        return period_between(_date(start, "from"), _date(end, "to"), today=today)
    if not preset or preset == "custom":
        return period_last(default_days, today=today)
    if preset not in {str(d) for d in PRESET_DAYS}:
        raise ValueError(_("period must be 7, 30, 90 or custom (with from and to)."))
    return period_last(int(preset), today=today)


# --- the figures --------------------------------------------------------------------------------------------


@dataclass
class CustomerEmotion:
    """A customer's scored message: when, its valence and dominant emotion."""

    message_id: int
    at: dt.datetime
    valence: float
    dominant: str

    @property
    def band(self) -> str | None:
        return valence_band(self.valence)


@dataclass
class Conversation:
    """One thread the agent wrote in during the period, with its customer outcome and the agent's behaviour."""

    source_id: int
    thread_id: str
    first_reply_at: dt.datetime
    last_reply_at: dt.datetime
    agent_messages: int = 0
    account_id: int | None = None
    contact_id: int | None = None
    start: CustomerEmotion | None = None
    end: CustomerEmotion | None = None
    repeat_contact: bool = False
    behaviours: set[str] = field(default_factory=set)
    shift: int = 0

    @property
    def key(self) -> tuple[int, str]:
        return (self.source_id, self.thread_id)

    @property
    def hostile(self) -> bool:
        s = self.start
        return bool(s and (s.dominant in HOSTILE_EMOTIONS or s.valence <= HOSTILE_VALENCE))

    @property
    def started_negative(self) -> bool:
        return bool(self.start and self.start.band == "negative")

    @property
    def recovered(self) -> bool | None:
        """True/False for a negative start with a known outcome; None otherwise."""
        if not self.started_negative or self.end is None:
            return None
        return self.end.band != "negative"

    @property
    def valence_change(self) -> float | None:
        return None if self.start is None or self.end is None else self.end.valence - self.start.valence


@dataclass
class Shift:
    """A run of the agent's messages with no gap longer than SHIFT_GAP_HOURS."""

    number: int
    start: dt.datetime
    end: dt.datetime
    conversations: int = 0
    hostile: int = 0
    longest_hostile_run: int = 0


def _longest_run(flags: Sequence[bool]) -> int:
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


@dataclass
class AgentMetrics:
    """One agent's figures over one period."""

    agent_id: int
    period: Period
    conversations: list[Conversation] = field(default_factory=list)
    shifts: list[Shift] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.conversations)

    @property
    def start_negative(self) -> int:
        return sum(c.started_negative for c in self.conversations)

    @property
    def recoverable(self) -> int:
        return sum(c.recovered is not None for c in self.conversations)

    @property
    def recovered(self) -> int:
        return sum(bool(c.recovered) for c in self.conversations)

    @property
    def recovery_rate(self) -> float | None:
        return _share(self.recovered, self.recoverable)

    @property
    def valence_change(self) -> float | None:
        changes = [c.valence_change for c in self.conversations if c.valence_change is not None]
        return round(sum(changes) / len(changes), 3) if changes else None

    @property
    def with_contact(self) -> int:
        return sum(c.contact_id is not None for c in self.conversations)

    @property
    def repeat_contacts(self) -> int:
        return sum(c.repeat_contact for c in self.conversations)

    @property
    def repeat_contact_rate(self) -> float | None:
        return _share(self.repeat_contacts, self.with_contact)

    @property
    def acknowledgement_rate(self) -> float | None:
        return _share(sum("acknowledgement" in c.behaviours for c in self.conversations), self.count)

    @property
    def apology_rate(self) -> float | None:
        return _share(sum("apology" in c.behaviours for c in self.conversations), self.count)

    @property
    def hostile(self) -> int:
        return sum(c.hostile for c in self.conversations)

    @property
    def hostile_share(self) -> float | None:
        return _share(self.hostile, self.count)

    @property
    def longest_hostile_run(self) -> int:
        return _longest_run([c.hostile for c in self.conversations])

    @property
    def longest_hostile_run_in_a_shift(self) -> int:
        return max((s.longest_hostile_run for s in self.shifts), default=0)

    @property
    def most_hostile_in_a_shift(self) -> int:
        return max((s.hostile for s in self.shifts), default=0)

    @property
    def support_reasons(self) -> list[str]:
        """Why a supervisor should check in with this agent (exposure only, never performance)."""
        reasons = []
        if self.longest_hostile_run_in_a_shift >= EXPOSURE_RUN_FLAG:
            reasons.append(
                str(_("%(n)s hostile conversations in a row within one shift"))
                % {"n": self.longest_hostile_run_in_a_shift}
            )
        if self.count >= EXPOSURE_SHARE_MIN and (self.hostile_share or 0) >= EXPOSURE_SHARE_FLAG:
            reasons.append(
                str(_("%(pct)s%% of the period's conversations were hostile"))
                % {"pct": round(self.hostile_share * 100)}
            )
        return reasons

    @property
    def needs_support(self) -> bool:
        return bool(self.support_reasons)

    @property
    def support_order(self) -> tuple:
        """Sort key, most exposed first: flagged, then the longest run in a shift, then hostile conversations."""
        return (not self.needs_support, -self.longest_hostile_run_in_a_shift, -self.hostile, -self.count)

    def summary(self) -> dict:
        """The figures as plain data (the API's shape)."""
        return {
            "conversations": self.count,
            "started_negative": self.start_negative,
            "recoverable": self.recoverable,
            "recovered": self.recovered,
            "recovery_rate": self.recovery_rate,
            "valence_change": self.valence_change,
            "with_contact": self.with_contact,
            "repeat_contacts": self.repeat_contacts,
            "repeat_contact_rate": self.repeat_contact_rate,
            "acknowledgement_rate": self.acknowledgement_rate,
            "apology_rate": self.apology_rate,
            "hostile": self.hostile,
            "hostile_share": self.hostile_share,
            "longest_hostile_run": self.longest_hostile_run,
            "longest_hostile_run_in_a_shift": self.longest_hostile_run_in_a_shift,
            "most_hostile_in_a_shift": self.most_hostile_in_a_shift,
            "shifts": len(self.shifts),
            "needs_support": self.needs_support,
            "support_reasons": self.support_reasons,
        }


def agents_metrics(agents: Sequence, period: Period) -> dict[int, AgentMetrics]:
    """The figures of each agent profile over ``period``, keyed by profile id (three queries in all)."""
    result = {a.pk: AgentMetrics(agent_id=a.pk, period=period) for a in agents}
    owner_of = {h.lower(): a.pk for a in agents for h in (a.handles or [])}
    if not owner_of:
        return result
    since, until = period.bounds
    agent_messages = (
        Message.objects.filter(author_role=AuthorRole.AGENT, created_at_source__gte=since, created_at_source__lt=until)
        .exclude(thread_id="")
        .annotate(handle=Lower("author_handle"))
        .filter(handle__in=list(owner_of))
    )
    # Query 1: what the agents wrote in the period (the text only for phrase matching; never scored).
    rows = agent_messages.order_by("created_at_source", "id").values_list(
        "handle", "source_id", "thread_id", "created_at_source", "text", "is_private"
    )
    by_agent: dict[int, dict[tuple[int, str], Conversation]] = defaultdict(dict)
    times: dict[int, list[dt.datetime]] = defaultdict(list)
    for handle, source_id, thread_id, at, text, is_private in rows:
        agent_id = owner_of[handle]
        conversations = by_agent[agent_id]
        conversation = conversations.get((source_id, thread_id))
        if conversation is None:
            conversation = conversations[(source_id, thread_id)] = Conversation(
                source_id=source_id, thread_id=thread_id, first_reply_at=at, last_reply_at=at
            )
        conversation.last_reply_at = at
        conversation.agent_messages += 1
        if not is_private:  # a private note is not something the customer read
            conversation.behaviours |= behaviour_tags(text)
        times[agent_id].append(at)
    if not by_agent:
        return result
    _attach_customer_side(by_agent, agent_messages)
    for agent_id, conversations in by_agent.items():
        ordered = sorted(conversations.values(), key=lambda c: (c.first_reply_at, c.source_id, c.thread_id))
        result[agent_id].conversations = ordered
        result[agent_id].shifts = _shifts(times[agent_id], ordered)
    return result


def _customer_messages(agent_messages):
    """Customers' messages in the threads the agents wrote in (the pairs are checked in Python)."""
    return Message.objects.filter(
        author_role=AuthorRole.CUSTOMER,
        thread_id__in=agent_messages.values("thread_id"),
        source_id__in=agent_messages.values("source_id"),
    ).exclude(status=MessageStatus.NOISE)


def _attach_customer_side(by_agent: dict[int, dict[tuple[int, str], Conversation]], agent_messages) -> None:
    wanted: dict[tuple[int, str], list[Conversation]] = defaultdict(list)
    for conversations in by_agent.values():
        for key, conversation in conversations.items():
            wanted[key].append(conversation)
    customer = _customer_messages(agent_messages)
    # Query 2: the customers' messages of those threads, each with its current score (a left join).
    rows = (
        customer.annotate(
            current=FilteredRelation(
                "emotion_scores",
                condition=Q(emotion_scores__is_current=True, emotion_scores__valence__isnull=False),
            )
        )
        .order_by("created_at_source", "id")
        .values_list(
            "id",
            "source_id",
            "thread_id",
            "created_at_source",
            "account_id",
            "contact_id",
            "current__valence",
            "current__dominant",
        )
    )
    for message_id, source_id, thread_id, at, account_id, contact_id, valence, dominant in rows:
        for conversation in wanted.get((source_id, thread_id), ()):
            if conversation.account_id is None:
                conversation.account_id = account_id
            if conversation.contact_id is None:
                conversation.contact_id = contact_id
            if valence is None:
                continue
            emotion = CustomerEmotion(message_id=message_id, at=at, valence=valence, dominant=dominant or "")
            if conversation.start is None:
                conversation.start = emotion
            elif at > conversation.first_reply_at:
                conversation.end = emotion  # the last one after the agent's first reply wins
    contacts = {c.contact_id for group in wanted.values() for c in group if c.contact_id}
    if not contacts:
        return
    # Query 3: when each of those contacts opened each thread (a message without a thread is its own thread).
    thread_key = Coalesce(NullIf("thread_id", Value("")), Concat(Value("#"), Cast("id", CharField())))
    first_reply = min(c.first_reply_at for group in wanted.values() for c in group)
    last_reply = max(c.last_reply_at for group in wanted.values() for c in group)
    opened = (
        Message.objects.filter(author_role=AuthorRole.CUSTOMER, contact_id__in=customer.values("contact_id"))
        .exclude(status=MessageStatus.NOISE)
        .annotate(key=thread_key)
        .values("contact_id", "source_id", "key")
        .annotate(opened=Min("created_at_source"))
        .filter(opened__gt=first_reply, opened__lte=last_reply + dt.timedelta(days=REPEAT_CONTACT_DAYS))
        .values_list("contact_id", "source_id", "key", "opened")
    )
    opens: dict[int, list[tuple[dt.datetime, int, str]]] = defaultdict(list)
    for contact_id, source_id, key, at in opened:
        opens[contact_id].append((at, source_id, key))
    window = dt.timedelta(days=REPEAT_CONTACT_DAYS)
    for group in wanted.values():
        for c in group:
            c.repeat_contact = any(
                (source_id, key) != c.key and c.last_reply_at < at <= c.last_reply_at + window
                for at, source_id, key in opens.get(c.contact_id, ())
            )


def _shifts(times: list[dt.datetime], conversations: list[Conversation]) -> list[Shift]:
    """Cut the agent's message times into shifts; each conversation belongs to the shift of its first reply."""
    gap = dt.timedelta(hours=SHIFT_GAP_HOURS)
    shifts: list[Shift] = []
    for at in times:  # already in time order
        if shifts and at - shifts[-1].end <= gap:
            shifts[-1].end = at
        else:
            shifts.append(Shift(number=len(shifts) + 1, start=at, end=at))
    index = 0
    flags: dict[int, list[bool]] = defaultdict(list)
    for conversation in conversations:  # in first-reply order, as the shifts are
        while conversation.first_reply_at > shifts[index].end:
            index += 1
        shift = shifts[index]
        conversation.shift = shift.number
        shift.conversations += 1
        shift.hostile += conversation.hostile
        flags[shift.number].append(conversation.hostile)
    for shift in shifts:
        shift.longest_hostile_run = _longest_run(flags[shift.number])
    return shifts
