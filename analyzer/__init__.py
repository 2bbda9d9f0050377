"""lexiam: find Amazon Lex V2 IAM mistakes in infrastructure-as-code before they deploy."""

__version__ = "0.1.0"
