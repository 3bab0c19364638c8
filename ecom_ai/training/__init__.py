"""Models the shop trains itself: its tokenizer, small pre-trained transformers, fine-tuned classifiers and
reply model, each a tracked :class:`~ecom_ai.models.TrainingRun` (see :mod:`ecom_ai.training.runs`)."""
