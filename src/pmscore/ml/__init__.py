"""Learned components: scikit-learn estimators, their training, and verified loading.

``store`` verifies a model directory (manifest SHA-256, versions) before anything is
unpickled; ``estimators`` defines the pipelines; ``train`` fits them from labelled JSONL;
``runtime`` loads the default models once per process and combines them with the rules.
"""
