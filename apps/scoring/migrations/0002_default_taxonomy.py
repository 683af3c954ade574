"""The default taxonomy: Ekman's base emotions plus neutral, and the business emotions CX teams use."""

from django.db import migrations

BASE = [
    # key, name, valence, arousal, description
    ("anger", "Anger", -0.8, 0.95, "Hostility, irritation, annoyance."),
    ("disgust", "Disgust", -0.7, 0.6, "Revulsion, contempt, disapproval."),
    ("fear", "Fear", -0.6, 0.85, "Worry, nervousness, alarm."),
    ("joy", "Joy", 0.9, 0.65, "Happiness, gratitude, love, excitement, relief."),
    ("neutral", "Neutral", 0.0, 0.0, "No clear emotion: information, questions, logistics."),
    ("sadness", "Sadness", -0.7, 0.5, "Disappointment, grief, remorse."),
    ("surprise", "Surprise", 0.1, 0.7, "Surprise, confusion, realisation, curiosity."),
]

BUSINESS = [
    # key, name, outcome, direction, components, cues, description
    ("frustration", "Frustration", "churn_risk", "raises", {"anger": 0.85, "disgust": 0.25},
     ["again", "still", "third time", "unacceptable", "waiting", "nobody", "keeps", "fix it"],
     "Repeated failure or being ignored; the strongest early churn signal."),
    ("disappointment", "Disappointment", "churn_risk", "raises", {"sadness": 0.9, "surprise": 0.1},
     ["disappointed", "let down", "expected more", "promised", "hasn't delivered", "never worked"],
     "Expectations not met; often precedes a non-renewal."),
    ("anxiety", "Anxiety", "churn_risk", "raises", {"fear": 1.0},
     ["worried", "concerned", "nervous", "urgent", "urgently", "anxious", "afraid", "safe?"],
     "Worry about outcomes (data, deadlines, money); needs reassurance fast."),
    ("confusion", "Confusion", "churn_risk", "raises", {"surprise": 0.7, "neutral": 0.1},
     ["confused", "not sure", "don't understand", "unclear", "explain", "where did", "what happened"],
     "Not understanding the product or a change; an onboarding and documentation signal."),
    ("trust", "Trust", "retention", "raises", {"joy": 0.5, "neutral": 0.15},
     ["reliable", "trust", "confident", "dependable", "renewed", "recommend"],
     "Confidence in us; the basis of retention."),
    ("delight", "Delight", "expansion", "raises", {"joy": 0.9, "surprise": 0.15},
     ["love", "loving", "amazing", "brilliant", "delighted", "thrilled", "fantastic", "sick"],
     "More than satisfied; a moment for advocacy and expansion conversations."),
    ("gratitude", "Gratitude", "retention", "raises", {"joy": 0.7},
     ["thank", "thanks", "appreciate", "grateful", "cheers", "kudos"],
     "Thanks for help received; reinforces the relationship."),
]


def forwards(apps, schema_editor):
    BaseEmotion = apps.get_model("scoring", "BaseEmotion")
    BusinessEmotion = apps.get_model("scoring", "BusinessEmotion")
    Component = apps.get_model("scoring", "BusinessEmotionComponent")
    bases = {}
    for order, (key, name, valence, arousal, description) in enumerate(BASE):
        bases[key], _ = BaseEmotion.objects.get_or_create(
            key=key, defaults={"name": name, "valence": valence, "arousal": arousal, "description": description,
                               "order": order}
        )
    for key, name, outcome, direction, components, cues, description in BUSINESS:
        business, created = BusinessEmotion.objects.get_or_create(
            key=key, defaults={"name": name, "outcome": outcome, "direction": direction, "cues": cues,
                               "description": description}
        )
        if created:
            for base_key, weight in components.items():
                Component.objects.create(business_emotion=business, base_emotion=bases[base_key], weight=weight)


def backwards(apps, schema_editor):
    apps.get_model("scoring", "BusinessEmotion").objects.filter(key__in=[b[0] for b in BUSINESS]).delete()
    apps.get_model("scoring", "BaseEmotion").objects.filter(key__in=[b[0] for b in BASE]).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
