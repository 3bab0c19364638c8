"""Every trainer's options: a dataclass of typed fields with defaults, read from a run's parameters by
:meth:`Options.from_params` (the shell's ``--param key=value``, a recipe's steps, the admin's form per kind).

A field is declared with :func:`option`, which keeps what the admin form needs beside the default: a label,
a help text, the allowed values, a range. ``from_params`` casts each given value to its field's type,
checks it, and raises :class:`OptionError` naming the parameter at fault; a parameter no field declares
is refused too, so a typo fails before anything is trained.
"""
from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class TrainingError(ValueError):
    """A run cannot be started or continued as asked (a clear message for the user)."""


class OptionError(TrainingError):
    """A parameter of a run is not valid; ``param`` names it (None when several are at fault together)."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


def option(default, label, help_text="", *, choices=None, minimum=None, maximum=None):
    """A dataclass field with what a form needs: ``label``, ``help_text``, ``choices`` ((value, label) pairs),
    an inclusive ``minimum`` / ``maximum``."""
    return dataclasses.field(default=default, metadata={
        "label": label, "help_text": help_text, "choices": tuple(choices or ()), "minimum": minimum, "maximum": maximum})


def base_type(hint) -> tuple[type, bool]:
    """(the value type, whether None is allowed) of a field's annotation: ``int | None`` → (int, True)."""
    args = typing.get_args(hint)
    if type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else rest[0]), True
    return hint, False


def _yes_no(value) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "false", "0", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    if isinstance(value, (bool, int)) and value in (0, 1):
        return bool(value)
    raise ValueError(gettext("say true or false"))


def read_pair(value) -> tuple[int, int]:
    """An n-gram range: ``[1, 3]``, ``(1, 3)``, ``"1-3"`` or ``"1,3"``."""
    if isinstance(value, str):
        value = value.replace(",", "-").split("-")
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(gettext("give two whole numbers, as in 1-3"))
    low, high = int(value[0]), int(value[1])
    if not 1 <= low <= high:
        raise ValueError(gettext("give two whole numbers, the first at least 1 and not above the second"))
    return low, high


def _cast(kind: type, value):
    if kind is bool:
        return _yes_no(value)
    if kind is int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(gettext("give a whole number"))
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError(gettext("give a whole number")) from None
    if kind is float:
        if isinstance(value, bool):
            raise ValueError(gettext("give a number"))
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(gettext("give a number")) from None
        if number != number or abs(number) == float("inf"):
            raise ValueError(gettext("give a number"))
        return number
    if kind is str:
        if isinstance(value, (dict, list)):
            raise ValueError(gettext("give a text"))
        return str(value)
    if kind == tuple[int, int]:
        return read_pair(value)
    raise TypeError(f"no reader for options of type {kind!r}")


@dataclass
class Options:
    """The options of one trainer. Subclasses declare their fields with :func:`option`; ``KIND`` names the
    run kind in messages."""

    KIND: typing.ClassVar[str] = ""
    SHARED: typing.ClassVar[tuple] = ()

    @classmethod
    def fields(cls) -> list[dataclasses.Field]:
        return list(dataclasses.fields(cls))

    @classmethod
    def hints(cls) -> dict:
        return typing.get_type_hints(cls)

    @classmethod
    def from_params(cls, params: dict | None) -> "Options":
        """The options ``params`` ask for, every value cast and checked; :class:`OptionError` names the bad one."""
        params = dict(params or {})
        names = {f.name for f in cls.fields()}
        unknown = sorted(set(params) - names)
        if unknown:
            raise OptionError(gettext("Unknown parameter(s) for %(kind)s: %(names)s")
                              % {"kind": cls.KIND, "names": ", ".join(unknown)}, unknown[0] if len(unknown) == 1 else None)
        hints = cls.hints()
        values = {}
        for f in cls.fields():
            if f.name not in params:
                continue
            kind, optional = base_type(hints[f.name])
            value = params[f.name]
            if value is None and optional:
                values[f.name] = None
                continue
            try:
                values[f.name] = _cast(kind, value)
            except ValueError as exc:
                raise OptionError(gettext("Parameter %(name)s=%(value)r is not valid: %(reason)s")
                                  % {"name": f.name, "value": value, "reason": exc}, f.name) from None
            cls._check_field(f, values[f.name])
        options = cls(**values)
        options.resolve()
        options.check(set(params))
        return options

    @staticmethod
    def _check_field(f: dataclasses.Field, value) -> None:
        meta = f.metadata
        allowed = [v for v, _label in meta.get("choices", ())]
        if allowed and value not in allowed:
            raise OptionError(gettext("%(name)s must be %(choices)s, not %(value)r")
                              % {"name": f.name, "choices": gettext(" or ").join(map(repr, allowed)), "value": value},
                              f.name)
        low, high = meta.get("minimum"), meta.get("maximum")
        if low is not None and high is not None and not low <= value <= high:
            raise OptionError(gettext("%(name)s must be between %(min)s and %(max)s, not %(value)s")
                              % {"name": f.name, "min": low, "max": high, "value": value}, f.name)
        if low is not None and value < low:
            raise OptionError(gettext("%(name)s must be at least %(min)s, not %(value)s")
                              % {"name": f.name, "min": low, "value": value}, f.name)
        if high is not None and value > high:
            raise OptionError(gettext("%(name)s must be at most %(max)s, not %(value)s")
                              % {"name": f.name, "max": high, "value": value}, f.name)

    def resolve(self) -> None:
        """Fill the defaults that depend on another option (a classifier's task, a language model's kind)."""

    def check(self, given: set[str]) -> None:
        """Checks across options (``given``: the parameters the request named); raise :class:`OptionError`."""

    @property
    def task(self) -> str:
        """What the run's ``task`` column says (sentiment / intent, causal / masked, ...)."""
        return ""


@dataclass
class TorchOptions(Options):
    """What every torch trainer reads: the loop's schedule, the seed, the threads and the device."""

    seed: int = option(0, _("seed"), _("Random seed: the same seed gives the same split and the same model."))
    threads: int | None = option(None, _("CPU threads"), _("Empty: torch's own choice."), minimum=1)
    device: str = option("auto", _("device"), _("auto, cpu, cuda, cuda:1, mps ..."))
    steps: int | None = option(300, _("steps"), _("Optimizer steps."), minimum=1)
    batch_size: int = option(16, _("batch size"), minimum=1)
    lr: float | None = option(1e-3, _("learning rate"), minimum=0.0)
    warmup: float = option(0.06, _("warm-up"), _("Share of the steps with a rising learning rate."),
                           minimum=0.0, maximum=1.0)
    weight_decay: float = option(0.01, _("weight decay"), minimum=0.0)
    eval_every: int = option(50, _("evaluate every"), _("Steps between two held-out losses."), minimum=1)

    #: the fields every torch trainer shares (the admin shows them apart from a kind's own)
    SHARED: typing.ClassVar[tuple] = ("seed", "threads", "device", "steps", "batch_size", "lr", "warmup",
                                      "weight_decay", "eval_every", "checkpoint_every", "hidden", "layers", "heads", "seq")

    def loop_settings(self):
        from ecom_ai.training import loop

        return loop.LoopSettings(steps=self.steps or 1, batch_size=self.batch_size, lr=self.lr, warmup=self.warmup,
                                 weight_decay=self.weight_decay, eval_every=self.eval_every,
                                 checkpoint_every=getattr(self, "checkpoint_every", 10 ** 9), seed=self.seed)


@dataclass
class SizeOptions(TorchOptions):
    """A transformer built from scratch: its width, depth, heads and sequence length."""

    hidden: int = option(128, _("hidden size"), minimum=1)
    layers: int = option(2, _("layers"), minimum=1)
    heads: int = option(4, _("attention heads"), minimum=1)
    seq: int | None = option(128, _("sequence length"), _("Tokens per example."), minimum=8)

    def check(self, given: set[str]) -> None:
        if self.hidden % self.heads:
            raise OptionError(gettext("hidden (%(hidden)d) must be a multiple of heads (%(heads)d)")
                              % {"hidden": self.hidden, "heads": self.heads},
                              "heads" if "heads" in given and "hidden" not in given else "hidden")

    def size(self):
        from ecom_ai.training import builders

        return builders.Size(hidden=self.hidden, layers=self.layers, heads=self.heads, seq=self.seq)


__all__ = ["TrainingError", "OptionError", "option", "Options", "TorchOptions", "SizeOptions", "base_type", "read_pair"]
