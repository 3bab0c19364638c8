"""The public functions of the campaigns feature (营销活动); the admin, the API, the jobs and the CLI call these.

The work is done, one step per module, in:

* :mod:`~ecom_ai.campaigns.limits` — the shop's limits, banned terms, products as campaigns see them;
* :mod:`~ecom_ai.campaigns.rules` — one pure validator per kind, and the normalising step;
* :mod:`~ecom_ai.campaigns.suggest` — "Suggest rules": products and numbers from the shop's data;
* :mod:`~ecom_ai.campaigns.copy` — the rule as facts, copy requests, distinct variants, saving drafts;
* :mod:`~ecom_ai.campaigns.copy_checks` — copy against the rule and the limits;
* :mod:`~ecom_ai.campaigns.evaluation` — ``manage.py ecom_ai evaluate campaigns``.

Here: saving a campaign (validated and normalised), choosing and editing copy, and what the
frontend sees.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from ecom_ai.campaigns.copy import (  # noqa: F401  (public names of the feature)
    build_copy_requests, catalogue_names, fingerprint, generate_distinct, language_facts, prepare_copy, rule_facts,
    save_copies,
)
from ecom_ai.campaigns.copy_checks import (  # noqa: F401
    CopyCheck, CopyDraft, apply_check, check_copy, check_existing, check_results, recheck_copies, strict_number_reasons,
)
from ecom_ai.campaigns.evaluation import audit_copy, evaluate  # noqa: F401
from ecom_ai.campaigns.limits import (  # noqa: F401
    CHANNELS, DEFAULT_BANNED_TERMS, DEFAULT_LIMITS, LANGUAGES, CampaignError, banned_terms, contains_banned, get_limits,
    load_products, normalize_product_ids,
)
from ecom_ai.campaigns.models import Campaign, CampaignCopy
from ecom_ai.campaigns.rules import (  # noqa: F401
    Problem, campaign_problems, flat_errors, normalize_campaign, validate_campaign, validate_coupon, validate_flash_sale,
    validate_group_buy,
)
from ecom_ai.campaigns.suggest import (  # noqa: F401
    Proposal, apply_suggestion, campaign_themes, candidates, fits, propose, proposal_problems, published_error, shop_signals,
    suggest_rules,
)
from ecom_ai.llm.facts import facts_to_json


def campaign_errors(campaign: Campaign, *, products: dict | None = None) -> dict[str, list[str]]:
    """The model's own checks and the shop's (the validators), merged by field without repeats.

    A published campaign is checked as complete; a draft may leave products, dates and numbers blank.
    """
    errors: dict[str, list[str]] = {}
    try:
        campaign.full_clean()
    except ValidationError as exc:
        errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    shop = validate_campaign(campaign, complete=campaign.status == Campaign.Status.PUBLISHED, products=products)
    for name, messages in shop.items():
        mine = errors.setdefault(name, [])
        mine += [m for m in messages if m not in mine]
    return errors


def save_campaign(campaign: Campaign, *, user=None, clean: bool = True) -> Campaign:
    """Normalise (product ids, snapshot), validate, save, and re-check the campaign's copies against the
    (possibly changed) rule. Raises ValidationError, saving nothing, when the campaign is not valid.

    ``clean=False`` skips validation for a campaign already validated (the admin's form did it).
    """
    normalize_campaign(campaign)  # canonical ids ("12, 15" → [12, 15]) and a fresh snapshot, then the checks
    if clean:
        errors = campaign_errors(campaign)
        if errors:
            raise ValidationError(errors)
    if campaign.pk is None and user is not None and getattr(user, "is_authenticated", False):
        campaign.created_by = user
    with transaction.atomic():
        campaign.save()
        recheck_copies(campaign)
    return campaign


def choose_copy(copy: CampaignCopy, *, user=None) -> CampaignCopy:
    """Make this copy the one shown for its channel and language (checked again first)."""
    campaign = copy.campaign
    facts = rule_facts(campaign)
    check = check_existing(copy, facts)
    with transaction.atomic():
        if not check.ok:
            CampaignCopy.objects.filter(pk=copy.pk).update(status=CampaignCopy.Status.NEEDS_REVIEW, check_ok=False,
                                                           reasons=check.reasons)
            raise CampaignError(gettext("This copy fails its checks and cannot be chosen: %(reasons)s")
                                % {"reasons": "; ".join(check.reasons)})
        CampaignCopy.objects.filter(campaign=campaign, channel=copy.channel, language=copy.language,
                                    status=CampaignCopy.Status.CHOSEN).exclude(pk=copy.pk).update(status=CampaignCopy.Status.READY)
        copy.status, copy.check_ok, copy.reasons = CampaignCopy.Status.CHOSEN, True, []
        copy.rule_fingerprint, copy.facts = fingerprint(facts), facts_to_json(facts)
        copy.save(update_fields=["status", "check_ok", "reasons", "rule_fingerprint", "facts", "updated_at"])
    return copy


def edit_copy(copy: CampaignCopy, text: str, *, user=None) -> CopyCheck:
    """Store a person's edit and check it again: ready (or still chosen) if it passes, else needs review."""
    facts = rule_facts(copy.campaign)
    copy.edited_text = "" if (text or "").strip() == copy.text.strip() else (text or "").strip()
    check = check_existing(copy, facts)
    apply_check(copy, check, facts)
    if user is not None and getattr(user, "is_authenticated", False):
        copy.edited_by = user
    copy.save()
    return check


def active_campaigns(now=None):
    """Published campaigns running now, each with its chosen copies (``chosen_copies`` prefetched)."""
    now = now or timezone.now()
    return (Campaign.objects.filter(status=Campaign.Status.PUBLISHED, starts_at__lte=now, ends_at__gt=now)
            .order_by("ends_at", "id")
            .prefetch_related(Prefetch("copies", queryset=CampaignCopy.objects.filter(status=CampaignCopy.Status.CHOSEN)
                                       .order_by("language", "channel"), to_attr="chosen_copies")))


def current_chosen(campaign: Campaign) -> list[CampaignCopy]:
    """The chosen copies still checked against the campaign's current rule (a changed rule hides stale copy)."""
    fp = fingerprint(rule_facts(campaign))
    copies = getattr(campaign, "chosen_copies", None)
    if copies is None:
        copies = list(campaign.copies.filter(status=CampaignCopy.Status.CHOSEN))
    return [c for c in copies if c.rule_fingerprint == fp and c.check_ok]
