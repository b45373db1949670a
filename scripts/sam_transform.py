"""Print template.yaml as the CloudFormation the SAM transform makes of it (JSON on stdout).

Policy scanners (checkov, cfn-lint's IAM rule in scripts/cfn_rules) read the roles SAM
generates, with its policy templates expanded, rather than the shorthand. Runs with the SAM
CLI's Python, which carries samtranslator.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path

from samtranslator.translator.transform import transform

ROOT = Path(__file__).resolve().parent.parent
# The local runtime's template reader (CloudFormation short-form tags); it needs only PyYAML,
# which the SAM CLI's Python has too.
sys.path.insert(0, str(ROOT / "local"))
from leadlists_local import template as template_file  # noqa: E402

# Parameters without a default need some value to translate; they never reach a policy.
PARAMETERS = {"JwtIssuer": "https://issuer.example.com/", "JwtAudience": "leadlists"}
# Scanners evaluate Conditions with the parameters' defaults and skip what they rule out: the
# optional resources' roles are checked too when these defaults switch them on.
SCANNED_DEFAULTS = {"CreateTestUserPool": "true"}


class _NoManagedPolicies:
    """The template names managed policies by ARN only, so nothing needs looking up in IAM."""

    def load(self) -> dict[str, str]:
        return {}


def main() -> None:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # pseudo parameters need one
    template = copy.deepcopy(template_file.load())
    # Local code paths become S3 placeholders, as `sam package` would make them.
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str):
                properties[key] = "s3://leadlists-artifacts/code.zip"
    output = transform(template, PARAMETERS, _NoManagedPolicies())
    for name, value in SCANNED_DEFAULTS.items():
        output["Parameters"][name]["Default"] = value
    json.dump(output, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
