"""Demo response templates: a small, realistic library, and a few recorded uses so the admin counts mean something.

Keyed on the template's name: running it again adds nothing, and never overwrites a template someone has
edited since (its history would otherwise gain a version on every ``make demo``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.responses import placeholders, services
from apps.responses.models import ResponseTemplate, TemplateUsage


@dataclass(frozen=True)
class DemoTemplate:
    name: str
    emotion: str
    subject: str
    body: str
    guidance: str
    journey_stage: str = ""
    channel: str = ""


APOLOGY = "Acknowledge – Apologise – Act – Follow up."

LIBRARY = (
    DemoTemplate(
        name="Frustration: apology and a concrete fix",
        emotion="frustration",
        subject="Re: your request – what we are doing about it",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "You should not have had to chase us about this, and I am sorry that you did. "
            "I have read the whole thread, so you will not need to explain it again.\n\n"
            "Here is what I am doing now: [the specific action]. I will update you by [day and time], "
            "even if the update is that we are still working on it.\n\n"
            "If anything else is getting in the way for the team at {{ account.name }}, reply here and it comes "
            "straight to me.\n\n"
            "{{ agent.first_name }}"
        ),
        guidance=(
            f"{APOLOGY}\nName the problem in their words, apologise once and plainly (no “for any inconvenience”), "
            "give one concrete next step with a time, and keep the promise. Do not mention how the customer feels."
        ),
    ),
    DemoTemplate(
        name="Frustration at renewal: own it before the decision",
        emotion="frustration",
        journey_stage="renewal",
        subject="Before your renewal on {{ account.renewal_date }}",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "Your renewal is coming up on {{ account.renewal_date }}, and I do not want it to arrive while the "
            "problems you raised are still open. I am sorry they have dragged on.\n\n"
            "I have asked for a review of every open issue for {{ account.name }}, and I would like to walk you "
            "through the plan in a 20-minute call this week. Which day suits you?\n\n"
            "Kind regards,\n{{ agent.name }}"
        ),
        guidance=(
            f"{APOLOGY}\nAt renewal the apology must come with a plan and a named owner. "
            "Do not discount to make the problem go away: fix it, then talk about the contract."
        ),
    ),
    DemoTemplate(
        name="Frustration on social: short public reply, then a private channel",
        emotion="frustration",
        channel="social",
        subject="",
        body=(
            "We're sorry, this isn't the experience we want you to have. We'd like to fix it properly: "
            "please send us a direct message with your account email and we'll pick it up straight away. "
            "– {{ agent.first_name }}"
        ),
        guidance=(
            "Public replies are short, human and signed. Never ask for or repeat personal or account details in "
            "public; move the conversation to a private channel within the first reply."
        ),
    ),
    DemoTemplate(
        name="Anger: calm apology (any strong negative message)",
        emotion="anger",
        subject="Re: your message",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "Thank you for telling us directly. You are right to expect better, and I am sorry we let you down.\n\n"
            "I am looking into it personally and will come back to you by [time] with what happened and what we "
            "will change.\n\n"
            "{{ agent.name }}"
        ),
        guidance=(
            f"{APOLOGY}\nStay calm and specific. Do not argue with the facts in the first reply, do not blame "
            "another team, and do not use the customer's tone against them."
        ),
    ),
    DemoTemplate(
        name="Disappointment: own the gap and make it right",
        emotion="disappointment",
        subject="Re: what you expected from us",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "You expected [what was promised] and it did not happen. That is on us, and I am sorry.\n\n"
            "Here is what we can do: [option one] or [option two]. Tell me which works better for "
            "{{ account.name }} and I will set it up today.\n\n"
            "{{ agent.first_name }}"
        ),
        guidance=(
            "Own it – Explain briefly – Offer a choice – Confirm.\nRestate the expectation that was not met, take "
            "responsibility without excuses, and give the customer a real choice of remedy."
        ),
    ),
    DemoTemplate(
        name="Disappointment at renewal: a review with the account manager",
        emotion="disappointment",
        journey_stage="renewal",
        subject="A review before your renewal",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "I know the last few months have not delivered what {{ account.name }} signed up for. Before your "
            "renewal on {{ account.renewal_date }}, {{ account.manager_name }} and I would like to review what "
            "went wrong and agree what success looks like for the next term.\n\n"
            "Could we find 30 minutes in the next two weeks?\n\n"
            "Best regards,\n{{ agent.name }}"
        ),
        guidance=(
            "Own it – Review together – Agree success criteria.\nBring the account manager in. Come with the facts "
            "of what was missed; ask what would make the next term a success before proposing anything."
        ),
    ),
    DemoTemplate(
        name="Anxiety: reassurance with facts and a timeline",
        emotion="anxiety",
        subject="Re: your concern – where things stand",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "Thank you for raising this quickly. Here is where things stand:\n\n"
            "• What we know: [facts].\n"
            "• What it means for {{ account.name }}: [impact, or “no impact on your data”].\n"
            "• What happens next: [next step] by [time].\n\n"
            "I am your single point of contact until this is resolved, and I will update you by [time] "
            "either way.\n\n"
            "{{ agent.name }}"
        ),
        guidance=(
            "Facts – Impact – Next step – One named contact.\nReassure with facts, not adjectives. Never promise "
            "what you cannot check; say when the next update comes and keep that time."
        ),
    ),
    DemoTemplate(
        name="Anxiety during onboarding: a safe path to go live",
        emotion="anxiety",
        journey_stage="onboarding",
        subject="Your go-live: a safe path",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "It is normal to have questions before going live, and you do not need to take any risks. We can:\n\n"
            "1. run the first import in a test workspace,\n"
            "2. check the results together, and\n"
            "3. switch over only when you are happy.\n\n"
            "Shall I book a 30-minute session for this week?\n\n"
            "{{ agent.first_name }}"
        ),
        guidance="Normalise – Reduce the risk – Offer a guided next step.",
    ),
    DemoTemplate(
        name="Confusion: clear steps and a check",
        emotion="confusion",
        subject="Re: how to [task]",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "Good question – this is not as clear as it should be. Here is how to do it:\n\n"
            "1. [First step].\n"
            "2. [Second step].\n"
            "3. [Third step].\n\n"
            "You should then see [expected result]. If you see something different, reply with a screenshot and "
            "I will take it from there.\n\n"
            "{{ agent.first_name }}"
        ),
        guidance=(
            "Clarity steps: Reassure – Numbered steps – Expected result – Check understanding.\nOne action per step, "
            "no jargon. Tell the documentation team if the same question keeps coming."
        ),
    ),
    DemoTemplate(
        name="Confusion during onboarding: a short guided session",
        emotion="confusion",
        journey_stage="onboarding",
        subject="Getting {{ account.name }} set up",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "Setting up a new tool always raises questions, so let us make it easy. I can walk you through "
            "[the part in question] in a 20-minute screen share, and send you a one-page summary afterwards.\n\n"
            "Would tomorrow or Thursday work better?\n\n"
            "{{ agent.first_name }}"
        ),
        guidance="Reassure – Offer a guided session – Leave a written summary.",
    ),
    DemoTemplate(
        name="Delight: celebrate with them",
        emotion="delight",
        subject="Re: great to hear!",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "This made our day – thank you for letting us know! I have passed your note on to the team who built "
            "it; they will be delighted.\n\n"
            "If there is anything that would make things even better for {{ account.name }}, I would love to "
            "hear it.\n\n"
            "{{ agent.first_name }}"
        ),
        guidance=(
            "Celebration cues: Mirror their enthusiasm – Thank – Credit the team – Invite ideas.\nKeep it genuine "
            "and short. Do not turn the reply into a sales pitch."
        ),
    ),
    DemoTemplate(
        name="Delight in advocacy: invite them to share their story",
        emotion="delight",
        journey_stage="advocacy",
        subject="Would you share your story?",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "Thank you – it is great to hear how well things are going at {{ account.name }}. Other teams learn "
            "a lot from stories like yours. Would you be open to a short review or a quote we could share? "
            "No pressure at all if the timing is not right.\n\n"
            "{{ agent.name }}"
        ),
        guidance="Celebrate – Ask once, lightly – Make saying no easy.",
    ),
    DemoTemplate(
        name="Delight on social: a short public thank-you",
        emotion="delight",
        channel="social",
        subject="",
        body=(
            "Thank you, this made the whole team smile! We're so glad it's working well for you. "
            "– {{ agent.first_name }}"
        ),
        guidance="Short, warm, signed. Never repeat customer details in public.",
    ),
    DemoTemplate(
        name="Joy: warm acknowledgement",
        emotion="joy",
        subject="Re: thank you",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "Thank you for the kind words – it is good to hear things are going well. We are here whenever you "
            "need us.\n\n"
            "{{ agent.first_name }}"
        ),
        guidance="Mirror – Thank – Stay available.",
    ),
    DemoTemplate(
        name="Gratitude: thank them back",
        emotion="gratitude",
        subject="Re: thanks",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "You are very welcome, and thank you for taking the time to say so. If anything else comes up, just "
            "reply to this message and it will come straight to me.\n\n"
            "{{ agent.first_name }}"
        ),
        guidance="Accept the thanks – Return it – Leave the door open.",
    ),
    DemoTemplate(
        name="Trust at renewal: thank them and make it easy",
        emotion="trust",
        journey_stage="renewal",
        subject="Your renewal on {{ account.renewal_date }}",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "Thank you for the trust {{ account.name }} has placed in us this year. Your renewal is due on "
            "{{ account.renewal_date }}; there is nothing you need to do unless you would like to change "
            "anything. {{ account.manager_name }} is happy to go through the year with you.\n\n"
            "Best regards,\n{{ agent.name }}"
        ),
        guidance="Thank – Make the logistics simple – Offer a review, do not push an upsell.",
    ),
    DemoTemplate(
        name="Neutral: clear and helpful answer",
        emotion="neutral",
        subject="Re: your question",
        body=(
            "Hi {{ contact.first_name }},\n\n"
            "Thanks for getting in touch. [Answer in one or two sentences.]\n\n"
            "Let me know if you need anything else.\n\n"
            "{{ agent.first_name }}"
        ),
        guidance="Answer first, then context. Keep it short.",
    ),
)

#: (template name, edited): used on the first demo accounts, in order, by each account's manager
USAGES = (
    ("Frustration: apology and a concrete fix", False),
    ("Frustration: apology and a concrete fix", True),
    ("Confusion: clear steps and a check", True),
    ("Delight: celebrate with them", False),
    ("Gratitude: thank them back", False),
)


def seed() -> dict[str, int]:
    """Create the demo library (and a few uses, once accounts exist); returns how many of each exist afterwards."""
    author = get_user_model().objects.filter(username="cx.lead").first()
    with transaction.atomic():
        existing = set(
            ResponseTemplate.objects.filter(name__in=[t.name for t in LIBRARY]).values_list("name", flat=True)
        )
        for spec in LIBRARY:
            if spec.name in existing:
                continue
            services.template_save(
                user=author,
                name=spec.name,
                emotion=spec.emotion,
                journey_stage=spec.journey_stage,
                channel=spec.channel,
                subject=spec.subject,
                body=spec.body,
                guidance=spec.guidance,
            )
        _seed_usages()
    return {"response templates": ResponseTemplate.objects.count(), "template usages": TemplateUsage.objects.count()}


def _seed_usages() -> None:
    """A few replies sent from the library by account managers, on the first demo accounts with a contact."""
    from apps.crm.models import Account

    accounts = list(
        Account.objects.filter(external_id__startswith="DEMO-", contacts__isnull=False, account_manager__isnull=False)
        .select_related("account_manager")
        .distinct()
        .order_by("external_id")[: len(USAGES)]
    )
    for (name, edited), account in zip(USAGES, accounts, strict=False):
        template = ResponseTemplate.objects.filter(name=name).first()
        if template is None or TemplateUsage.objects.filter(template=template, account=account).exists():
            continue
        user = account.account_manager
        contact = account.contacts.order_by("pk").first()
        version = template.versions.get(number=template.current_version)
        context = placeholders.context_for(account=account, contact=contact, agent=user)
        subject = placeholders.render(version.subject, context).text
        body = placeholders.render(version.body, context).text
        if edited:
            body += "\n\nP.S. I have added a note to your account so that everyone here knows the background."
        if placeholders.unfilled(subject + body):
            continue  # e.g. a renewal template for an account without a renewal date
        services.template_usage_record(
            template=template,
            version=version,
            account=account,
            contact=contact,
            user=user,
            channel="ticketing",
            subject=subject,
            body=body,
        )
