"""The roles, as groups, each with the least permissions it needs. Object grants (accounts, teams) come on top.

Migrations call ``apply_roles`` so a fresh database has the groups; permissions of apps migrated later
are added by their own migrations calling it again.
"""

from __future__ import annotations

V, A, C, D = "view", "add", "change", "delete"

ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "Admin": {"*": (V, A, C, D)},
    "CX Analyst": {
        "crm.account": (V,),
        "crm.contact": (V,),
        "crm.segment": (V,),
        "sources.source": (V,),
        "sources.message": (V,),
        "scoring.emotionscore": (V,),
        "scoring.baseemotion": (V, C),
        "scoring.businessemotion": (V, A, C),
        "scoring.businessemotioncomponent": (V, A, C, D),
        "scoring.lexiconentry": (V, A, C, D),
        "scoring.scoringmodel": (V,),
        "sources.noisepolicy": (V, C),
        "governance.purpose": (V,),
        "responses.responsetemplate": (V, A, C),
        "responses.responsetemplateversion": (V,),
        "responses.templateusage": (V,),
        "validation.annotationbatch": (V, A, C, D),
        "validation.annotationitem": (V,),
        "validation.annotation": (V, A),
        "validation.goldlabel": (V, A, C),
        "validation.emotionfeedback": (V,),
        "validation.evaluationrun": (V, A),
        "validation.calibrationrun": (V, A),
        "validation.modelactivation": (V,),
        "monitoring.accountoutcome": (V, A),
        "monitoring.driftreport": (V,),
        "monitoring.driftalert": (V, C),
        "monitoring.driftsettings": (V,),
    },
    # Labels a sample of customer messages; sees them only through the annotation queue.
    "Annotator": {
        "validation.annotationbatch": (V,),
        "validation.annotation": (A,),
        "governance.purpose": (V,),
    },
    # Account managers and agents see accounts through object grants, never model-wide.
    "Account Manager": {
        "crm.segment": (V,),
        "sources.source": (V,),
        "governance.purpose": (V,),
        "responses.responsetemplate": (V,),
        "responses.templateusage": (A,),
        # Handoff notes are seen with their account (object grants); writing one needs this.
        "crm.handoffnote": (A,),
    },
    "Support Agent": {
        "crm.segment": (V,),
        "sources.source": (V,),
        "governance.purpose": (V,),
        "responses.responsetemplate": (V,),
        "responses.templateusage": (A,),
        # Handoff notes are seen with their account (object grants); writing one needs this.
        "crm.handoffnote": (A,),
    },
    "Support Supervisor": {
        "crm.segment": (V,),
        "sources.source": (V,),
        "governance.purpose": (V,),
        "responses.responsetemplate": (V,),
        "responses.templateusage": (A,),
        # Handoff notes are seen with their account (object grants); writing one needs this.
        "crm.handoffnote": (A,),
        # Writing reviews; which teams, agents and reviews they reach comes from object grants on their teams.
        "coaching.coachingreview": (A,),
        "coaching.teamreview": (A,),
    },
    "Privacy Officer": {
        "governance.dpia": (V, A, C),
        "governance.purpose": (V, C),
        "governance.prohibiteduse": (V, A, C, D),
        "governance.dataaccesslog": (V,),
        "consent.consentrecord": (V, A),
        "crm.contact": (V,),
        "crm.account": (V,),
        "auditlog.logentry": (V,),
        "core.securityevent": (V,),
        "sources.source": (V,),
        "retention.retentionpolicy": (V, A, C),
        "retention.legalhold": (V, A, C),
        "retention.retentionrun": (V,),
        "monitoring.driftreport": (V,),
        "monitoring.driftalert": (V,),
        "monitoring.driftsettings": (V,),
    },
    "Integration": {
        "sources.message": (V, A),
        "sources.source": (V,),
        "crm.account": (V,),
        "crm.contact": (V, A, C),
        "crm.segment": (V,),
        "scoring.emotionscore": (V,),
        "consent.consentrecord": (V, A),
        "responses.responsetemplate": (V,),
        "monitoring.accountoutcome": (V, A),
    },
}
#: Named permissions that are not view/add/change/delete.
EXTRA_PERMISSIONS = {
    "Integration": ("scoring.score_text",),
    "Admin": ("scoring.score_text",),
    "Privacy Officer": ("consent.handle_subject_request", "retention.run_retention", "monitoring.view_model_card"),
    "CX Analyst": (
        "validation.adjudicate_goldlabel",
        "validation.rollback_scoringmodel",
        "monitoring.view_validity_report",
        "monitoring.view_model_card",
    ),
    # Frontline "wrong emotion" feedback, on the messages their object grants show them.
    "Account Manager": ("validation.add_emotionfeedback",),
    "Support Agent": ("validation.add_emotionfeedback",),
    "Support Supervisor": ("validation.add_emotionfeedback",),
}
PROJECT_APPS = (
    "core",
    "crm",
    "sources",
    "scoring",
    "consent",
    "governance",
    "retention",
    "alerts",
    "responses",
    "coaching",
    "validation",
    "monitoring",
)


def apply_roles(apps) -> None:
    """Create the role groups and give them their permissions (idempotent; missing permissions are skipped)."""
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():  # make sure every migrated model's permissions exist now
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for target, actions in grants.items():
            if target == "*":
                wanted += list(Permission.objects.filter(content_type__app_label__in=PROJECT_APPS))
                continue
            app_label, model = target.split(".")
            codenames = [f"{action}_{model}" for action in actions]
            wanted += list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
        for perm in EXTRA_PERMISSIONS.get(role, ()):
            app_label, codename = perm.split(".")
            wanted += list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*wanted)
