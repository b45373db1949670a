"""Dev-only tooling: the template-driven local runtime and the `leadlists` command.

Never packaged into a Lambda.
"""
