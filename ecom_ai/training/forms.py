"""The admin's form per training kind, built from the kind's options dataclass: one typed field per option
(its label, help text, default shown, range and choices), checked by the same ``from_params`` as the shell."""
from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ecom_ai.training import runs
from ecom_ai.training.models import TrainingRun
from ecom_ai.training.trainers import options_for
from ecom_ai.training.trainers.options import OptionError, base_type
from ecom_ai.training.trainers.options import read_pair

Kind = TrainingRun.Kind

#: what each kind trains, shown where staff choose one and above its form
KIND_HELP = {
    Kind.TOKENIZER: _("Byte-level BPE (or one token per character) on the shop's own text."),
    Kind.PRETRAIN: _("A small language model from scratch on the shop's text; resumable from its checkpoints."),
    Kind.FINETUNE_CLASSIFIER: _("Sentiment or intent on the pre-trained encoder, measured beside the scikit-learn "
                                "baseline on the same held-out reviews."),
    Kind.FINETUNE_REPLIES: _("The reply model, fine-tuned on approved replies."),
    Kind.SENTIMENT_BASELINE: _("The scikit-learn sentiment model on the shop's rated reviews (what the demo trains)."),
    Kind.INTENT_BASELINE: _("The scikit-learn intent model on handled inquiries and the shipped examples."),
    Kind.RECOMMENDER: _("The recommender's models on the shop's purchases (what the demo trains)."),
}

#: kinds that read no extra data file
NO_CSV = {Kind.FINETUNE_REPLIES}


class PairField(forms.CharField):
    """An n-gram range typed as ``1-3``, read as the options read it."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return read_pair(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


def _shown(value) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, tuple):
        return "-".join(map(str, value))
    return str(value)


def form_field(f, hint) -> forms.Field:
    """The form field of one option: typed, its default as the initial value and in the help text."""
    kind, optional = base_type(hint)
    meta, default = f.metadata, f.default
    help_text = str(meta.get("help_text") or "")
    if default is not None:
        help_text = " ".join(filter(None, [help_text, gettext("Default: %(value)s") % {"value": _shown(default)}]))
    common = {"label": meta.get("label") or f.name, "help_text": help_text, "initial": default, "required": False}
    bounds = {"min_value": meta.get("minimum"), "max_value": meta.get("maximum")}
    if meta.get("choices"):
        return forms.ChoiceField(choices=list(meta["choices"]), **{**common, "required": True})
    if kind is bool and optional:
        return forms.TypedChoiceField(choices=[("", _("automatic")), ("true", _("yes")), ("false", _("no"))],
                                      coerce=lambda v: v == "true", empty_value=None, **common)
    if kind is bool:
        return forms.BooleanField(**common)
    if kind is int:
        return forms.IntegerField(**common, **bounds)
    if kind is float:
        return forms.FloatField(**common, **bounds)
    if kind == tuple[int, int]:
        return PairField(**{**common, "initial": _shown(default) if default else ""})
    return forms.CharField(**common, max_length=500)


class TrainingRunForm(forms.ModelForm):
    """A run of ``KIND``: its options, an optional extra data file, whether to serve the result."""

    KIND = ""
    OPTION_NAMES: tuple = ()          # every option, as OWN_NAMES (the kind's own) + SHARED_NAMES (schedule, size)
    OWN_NAMES: tuple = ()
    SHARED_NAMES: tuple = ()

    class Meta:
        model = TrainingRun
        fields = ("csv", "activate_when_done")
        help_texts = {"csv": _("A file on the server (CSV, gzip accepted) read beside the shop's own data.")}

    def clean_csv(self):
        value = (self.cleaned_data.get("csv") or "").strip()
        if value and not Path(value).is_file():
            raise forms.ValidationError(_("No such file on the server: %(path)s"), params={"path": value})
        return value

    def clean(self):
        data = super().clean()
        options = options_for(self.KIND)
        defaults = {f.name: f.default for f in options.fields()}
        if any(name in self.errors for name in self.OPTION_NAMES):
            return data
        params = {}
        for name in self.OPTION_NAMES:
            value = data.get(name)
            if value is None or value == "" or value == defaults[name]:
                continue
            params[name] = list(value) if isinstance(value, tuple) else value
        try:
            data["task"], data["parameters"] = runs.check_request(self.KIND, params)
        except OptionError as exc:
            self.add_error(exc.param if exc.param in self.fields else None, str(exc))
        except runs.TrainingError as exc:
            self.add_error(None, str(exc))
        return data


def run_form(kind: str) -> type[TrainingRunForm]:
    """The form class of one kind: a field per option of its trainer."""
    options = options_for(kind)
    hints = options.hints()
    own = [f for f in options.fields() if f.name not in options.SHARED]      # the kind's own options first
    shared = [f for f in options.fields() if f.name in options.SHARED]
    fields = {f.name: form_field(f, hints[f.name]) for f in own + shared}
    attrs = {**fields, "KIND": kind, "OPTION_NAMES": tuple(fields), "OWN_NAMES": tuple(f.name for f in own),
             "SHARED_NAMES": tuple(f.name for f in shared), "__module__": __name__}
    return type(f"{options.__name__}Form", (TrainingRunForm,), attrs)


__all__ = ["KIND_HELP", "NO_CSV", "TrainingRunForm", "run_form", "form_field"]
