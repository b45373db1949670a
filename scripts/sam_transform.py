"""Print template.yaml as the CloudFormation the SAM transform makes of it (JSON on stdout).

Policy scanners (checkov, cfn-lint's IAM rule in scripts/cfn_rules) read the roles SAM
generates, with its policy templates expanded, rather than the shorthand. Runs with the SAM
CLI's Python, which carries samtranslator.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml
from samtranslator.translator.transform import transform

ROOT = Path(__file__).resolve().parent.parent
# Parameters without a default need some value to translate; they never reach a policy.
PARAMETERS = {"JwtIssuer": "https://issuer.example.com/", "JwtAudience": "leadlists"}


class _CfnLoader(yaml.SafeLoader):
    """Reads !Ref, !Sub, !GetAtt... as their long forms."""


def _intrinsic(loader: _CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


class _NoManagedPolicies:
    """The template names managed policies by ARN only, so nothing needs looking up in IAM."""

    def load(self) -> dict[str, str]:
        return {}


def main() -> None:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # pseudo parameters need one
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=_CfnLoader)  # noqa: S506  # nosec B506
    # Local code paths become S3 placeholders, as `sam package` would make them.
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str):
                properties[key] = "s3://leadlists-artifacts/code.zip"
    output = transform(template, PARAMETERS, _NoManagedPolicies())
    json.dump(output, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
