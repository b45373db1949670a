#!/usr/bin/env bash
# Least privilege in the template: no IAM wildcard on actions or resources.
#
# Checks the CloudFormation SAM makes of template.yaml (its generated execution roles with their
# inline statements), written to .aws-sam/transformed.json, with
#   - cfn-lint and this project's rules in scripts/cfn_rules: E9101 (a wildcard in an Allow
#     statement's Action or Resource; only the trailing object-key wildcard of a bucket the
#     template creates is allowed) and E9102 (a managed policy whose document the template does
#     not show, other than the AWS ones SAM attaches by itself);
#   - checkov's IAM checks.
# Exits non-zero on any finding of either tool; prints one summary line when clean.
# Tools: SAM_PYTHON (a Python with samtranslator), CFN_LINT, CHECKOV.
set -euo pipefail
cd "$(dirname "$0")/.."

SAM_PYTHON=${SAM_PYTHON:-.tools/sam/bin/python}
CFN_LINT=${CFN_LINT:-.tools/sam/bin/cfn-lint}
CHECKOV=${CHECKOV:-.tools/checkov/bin/checkov}

# checkov's IAM checks. CKV_AWS_1, 49, 289, 290, 355 and 356 are registered for Terraform (1 and
# 49 also for the Serverless Framework) only, so on CloudFormation they do not run: their
# CloudFormation counterparts are CKV_AWS_62 (1), 63 (49) and 109/111 (289/290); E9101 covers
# "*" resources (355/356). They stay listed so a checkov that gains them runs them.
CHECKOV_CHECKS=CKV_AWS_1,CKV_AWS_40,CKV_AWS_49,CKV_AWS_60,CKV_AWS_61,CKV_AWS_62,CKV_AWS_63
CHECKOV_CHECKS+=,CKV_AWS_107,CKV_AWS_108,CKV_AWS_109,CKV_AWS_110,CKV_AWS_111
CHECKOV_CHECKS+=,CKV_AWS_289,CKV_AWS_290,CKV_AWS_355,CKV_AWS_356
# The checks that must have run on every role, or checkov did not see the template.
CHECKOV_ROLE_CHECKS=CKV_AWS_60,CKV_AWS_61,CKV_AWS_62,CKV_AWS_63
CHECKOV_ROLE_CHECKS+=,CKV_AWS_107,CKV_AWS_108,CKV_AWS_109,CKV_AWS_110,CKV_AWS_111

for tool in "$SAM_PYTHON" "$CFN_LINT" "$CHECKOV"; do
  command -v "$tool" >/dev/null || { echo "check_iam: $tool not found" >&2; exit 2; }
done

mkdir -p .aws-sam
transformed=.aws-sam/transformed.json
checkov_report=.aws-sam/checkov-iam.json
"$SAM_PYTHON" scripts/sam_transform.py >"$transformed.tmp"
mv "$transformed.tmp" "$transformed"

status=0
# Only E0 (a template that does not parse, a rule that crashes) and E9 (this project's rules):
# the generic rules would report the placeholders of the transformed template (code URIs,
# parameter values). `--ignore-checks E` would also silence E0000 parse errors.
if ! "$CFN_LINT" --append-rules scripts/cfn_rules \
  --ignore-checks E1 E2 E3 E4 E5 E6 E7 E8 W I -- "$transformed"; then
  echo "check_iam: cfn-lint found IAM wildcards (above)" >&2
  status=1
fi

# checkov exits 1 on a failed check; the report says which, so read the report either way.
"$CHECKOV" -f "$transformed" --framework cloudformation --check "$CHECKOV_CHECKS" \
  --skip-download --compact -o json >"$checkov_report" || true

CHECKOV_ROLE_CHECKS=$CHECKOV_ROLE_CHECKS "$SAM_PYTHON" - "$transformed" "$checkov_report" \
  "$status" <<'EOF'
import json
import os
import sys

template_path, report_path, lint_status = sys.argv[1], sys.argv[2], int(sys.argv[3])
template = json.load(open(template_path))
try:
    report = json.load(open(report_path))
except ValueError:
    sys.exit(f"check_iam: checkov wrote no report ({report_path})")
if isinstance(report, list):  # one entry per framework
    report = next((r for r in report if r.get("check_type") == "cloudformation"), {})
summary = report.get("summary") or {}
results = report.get("results") or {}
failed = results.get("failed_checks") or []
for check in failed:
    print(
        f"checkov {check['check_id']} {check['check_name']}: {check['resource']}"
        f" ({check['file_path']}:{check['file_line_range'][0]})",
        file=sys.stderr,
    )
roles = [k for k, v in template["Resources"].items() if v["Type"] == "AWS::IAM::Role"]
ran = {}
for check in results.get("passed_checks") or []:
    ran.setdefault(check["check_id"], set()).add(check["resource"])
for check in failed:
    ran.setdefault(check["check_id"], set()).add(check["resource"])
problems = [f"{len(failed)} checkov finding(s)"] if failed else []
if summary.get("parsing_errors"):
    problems.append(f"checkov could not parse {template_path}")
for check_id in os.environ["CHECKOV_ROLE_CHECKS"].split(","):
    if len(ran.get(check_id, ())) != len(roles):
        count = len(ran.get(check_id, ()))
        problems.append(f"checkov ran {check_id} on {count} of {len(roles)} roles")
if problems:
    print("check_iam: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
if lint_status:
    sys.exit(1)
statements = sum(
    len(policy["PolicyDocument"]["Statement"])
    if isinstance(policy["PolicyDocument"]["Statement"], list)
    else 1
    for name in roles
    for policy in template["Resources"][name]["Properties"].get("Policies", [])
)
print(
    f"IAM least privilege: {len(roles)} roles, {statements} inline statements, no wildcard"
    f" (cfn-lint E9101/E9102 clean; checkov {summary.get('passed', 0)} IAM checks passed,"
    " 0 failed)"
)
EOF
