"""Files ecom_ai writes and reads: model artefacts and data files."""
