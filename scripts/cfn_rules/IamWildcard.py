"""cfn-lint rules: no IAM wildcard on actions or resources (E9101), no managed policy whose
document the template does not show (E9102).

Run them on the SAM-transformed template, where the execution roles SAM generates exist as
AWS::IAM::Role resources (cfn-lint does not expand SAM itself):

    python scripts/sam_transform.py > .aws-sam/transformed.json
    cfn-lint --append-rules scripts/cfn_rules .aws-sam/transformed.json

scripts/check_iam.sh does both, then runs checkov's IAM checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

Path = list[str | int]

# Where identity policies live: resource type -> property paths of policy documents ("*" is
# every item of a list).
_DOCUMENTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "AWS::IAM::Role": (("Policies", "*", "PolicyDocument"), ("AssumeRolePolicyDocument",)),
    "AWS::IAM::User": (("Policies", "*", "PolicyDocument"),),
    "AWS::IAM::Group": (("Policies", "*", "PolicyDocument"),),
    "AWS::IAM::Policy": (("PolicyDocument",),),
    "AWS::IAM::ManagedPolicy": (("PolicyDocument",),),
    "AWS::IAM::RolePolicy": (("PolicyDocument",),),
    "AWS::IAM::UserPolicy": (("PolicyDocument",),),
    "AWS::IAM::GroupPolicy": (("PolicyDocument",),),
}
_ATTACHES_MANAGED = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")

# AWS managed policies SAM attaches to the roles it generates by itself: no template setting
# removes them (only explicit roles could). Their documents hold `Resource: "*"`, which no scanner
# of this template sees; they are the accepted exceptions, each for the reason given. The SQS
# consumers subscribe through explicit event source mappings, so SAM gives their roles no
# AWSLambdaSQSQueueExecutionRole (SQS polling on every queue): their policies name their own queue.
ACCEPTED_MANAGED_POLICIES = {
    "service-role/AWSLambdaBasicExecutionRole": (
        "function logs (logs:CreateLogGroup, CreateLogStream, PutLogEvents); SAM attaches it to"
        " every role it generates"
    ),
    "AWSXrayWriteOnlyAccess": (
        "Tracing: Active; xray:PutTraceSegments and PutTelemetryRecords support no resource-level"
        " permissions"
    ),
}

_PSEUDO_PARTITION = "AWS::Partition"
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_WILDCARDS = ("*", "?")


class Unresolvable(Exception):
    """A value the rule cannot prove wildcard-free (parameter, import, unknown function)."""


class _Ref:
    """A reference inside a rendered value: a resource, its attribute, or a pseudo parameter."""

    def __init__(self, name: str, attribute: str | None = None) -> None:
        self.name, self.attribute = name, attribute


def _alternatives(value: Any, path: Path) -> Iterator[tuple[Any, Path]]:
    """Each value a property may take: both branches of an Fn::If; AWS::NoValue is none."""
    if isinstance(value, dict) and len(value) == 1:
        key, args = next(iter(value.items()))
        if key == "Fn::If" and isinstance(args, list) and len(args) == 3:
            for n in (1, 2):
                yield from _alternatives(args[n], [*path, "Fn::If", n])
            return
        if key == "Ref" and args == "AWS::NoValue":
            return
    yield value, path


def _items(value: Any, path: Path) -> Iterator[tuple[Any, Path]]:
    """A string-or-list property (Action, Resource, ManagedPolicyArns) as single values."""
    for alternative, alt_path in _alternatives(value, path):
        if isinstance(alternative, list):
            for n, item in enumerate(alternative):
                yield from _alternatives(item, [*alt_path, n])
        else:
            yield alternative, alt_path


def _documents(resource_type: str, properties: Any, path: Path) -> Iterator[tuple[Any, Path]]:
    for property_path in _DOCUMENTS.get(resource_type, ()):
        yield from _walk(properties, list(property_path), path)


def _walk(value: Any, keys: list[str], path: Path) -> Iterator[tuple[Any, Path]]:
    for alternative, alt_path in _alternatives(value, path):
        if not keys:
            yield alternative, alt_path
        elif keys[0] == "*":
            if isinstance(alternative, list):
                for n, item in enumerate(alternative):
                    yield from _walk(item, keys[1:], [*alt_path, n])
        elif isinstance(alternative, dict) and keys[0] in alternative:
            yield from _walk(alternative[keys[0]], keys[1:], [*alt_path, keys[0]])


class _Renderer:
    """Renders a value into literal text and references, resolving Ref, GetAtt, Sub and Join."""

    def __init__(self, template: dict[str, Any]) -> None:
        self.resources = template.get("Resources") or {}
        self.parameters = template.get("Parameters") or {}

    def type_of(self, name: str) -> str | None:
        resource = self.resources.get(name)
        return resource.get("Type") if isinstance(resource, dict) else None

    def render(self, value: Any) -> list[str | _Ref]:
        if isinstance(value, str):
            return [value]
        if not isinstance(value, dict) or len(value) != 1:
            raise Unresolvable(f"{value!r} is not a string or an intrinsic function")
        key, args = next(iter(value.items()))
        if key == "Ref":
            return [self._name(str(args), None)]
        if key == "Fn::GetAtt":
            if isinstance(args, str):
                name, _, attribute = args.partition(".")
            elif isinstance(args, list) and len(args) == 2:
                name, attribute = str(args[0]), str(args[1])
            else:
                raise Unresolvable(f"Fn::GetAtt {args!r} cannot be resolved here")
            return [self._name(name, attribute or None)]
        if key == "Fn::Sub":
            text, variables = (args, {}) if isinstance(args, str) else (args[0], args[1])
            return self._sub(text, variables)
        if key == "Fn::Join" and isinstance(args, list) and isinstance(args[1], list):
            out: list[str | _Ref] = []
            for n, part in enumerate(args[1]):
                out += ([args[0]] if n else []) + self.render(part)
            return out
        raise Unresolvable(f"{key} cannot be resolved here")

    def _name(self, name: str, attribute: str | None) -> _Ref:
        if name.startswith("AWS::") or name in self.resources:
            return _Ref(name, attribute)
        if name in self.parameters:
            raise Unresolvable(f"it depends on parameter {name}, whose value could be anything")
        raise Unresolvable(f"{name} is neither a resource nor a pseudo parameter")

    def _sub(self, text: str, variables: dict[str, Any]) -> list[str | _Ref]:
        out: list[str | _Ref] = []
        position = 0
        for found in _SUB_VARIABLE.finditer(text):
            out.append(text[position : found.start()])
            position = found.end()
            inner = found.group(1)
            if inner.startswith("!"):  # ${!Literal} is the text ${Literal}
                out.append("${" + inner[1:] + "}")
            elif inner in variables:
                out += self.render(variables[inner])
            elif "." in inner and not inner.startswith("AWS::"):
                name, attribute = inner.split(".", 1)
                out.append(self._name(name, attribute))
            else:
                out.append(self._name(inner, None))
        out.append(text[position:])
        return [part for part in out if part != ""]


def _has_wildcard(text: str) -> bool:
    return any(w in text for w in _WILDCARDS)


class IamWildcard(CloudFormationLintRule):
    """IAM policy has a wildcard.

    Flags, in every Allow statement of every identity policy (inline role, user and group
    policies, AWS::IAM::Policy and ::ManagedPolicy, trust policies):

    - an Action containing `*` or `?` (`*`, `s3:*`, `dynamodb:Get*`, `sqs:SendMessage*`...);
    - a Resource that is `*`, or any other Resource with `*` or `?` in it, with one exception
      below;
    - NotAction and NotResource (an Allow with them grants everything not listed);
    - a value the rule cannot prove wildcard-free: one that depends on a template parameter, or
      uses an intrinsic function other than Ref, Fn::GetAtt, Fn::Sub, Fn::Join and Fn::If (both
      branches are checked).

    The one allowed wildcard: the trailing object-key wildcard of an S3 bucket the template
    itself creates, e.g. `arn:${AWS::Partition}:s3:::${ExportBucket}/exports/*` where
    ExportBucket is an AWS::S3::Bucket of this template. It names objects of one bucket under one
    key prefix, which cannot be listed in advance; a bucket from elsewhere, a `*` in the bucket
    name or in the middle of the key, or `?`, is still flagged.

    Deny statements are not flagged: a wildcard there narrows access rather than granting it.
    The template must be the SAM-transformed one: a template that still declares the SAM
    transform is itself a finding, as its generated roles are not there to check.
    """

    id = "E9101"
    shortdesc = "IAM policy has a wildcard"
    description = (
        "Actions and resources of IAM Allow statements are explicit: no `*` or `?`, except the"
        " trailing object-key wildcard of an S3 bucket the template creates"
    )
    source_url = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"
    )
    tags: ClassVar[list[str]] = ["iam", "least-privilege"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        if cfn.has_serverless_transform():
            return [
                RuleMatch(
                    ["Transform"],
                    "The template declares the SAM transform, so its execution roles are not"
                    " here to check: lint the output of scripts/sam_transform.py",
                )
            ]
        renderer = _Renderer(cfn.template)
        matches: list[RuleMatch] = []
        for name, resource in (cfn.template.get("Resources") or {}).items():
            if not isinstance(resource, dict):
                continue
            path: Path = ["Resources", name, "Properties"]
            properties = resource.get("Properties") or {}
            for document, doc_path in _documents(resource.get("Type", ""), properties, path):
                matches += self._document(renderer, document, doc_path)
        return matches

    def _document(self, renderer: _Renderer, document: Any, path: Path) -> list[RuleMatch]:
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError:
                return [RuleMatch(path, "The policy document is not JSON; it cannot be checked")]
        if not isinstance(document, dict):
            return [RuleMatch(path, "The policy document cannot be checked")]
        matches: list[RuleMatch] = []
        for statement, st_path in _items(document.get("Statement"), [*path, "Statement"]):
            if not isinstance(statement, dict):
                matches.append(RuleMatch(st_path, "The statement cannot be checked"))
            elif statement.get("Effect") != "Deny":
                matches += self._statement(renderer, statement, st_path)
        return matches

    def _statement(self, renderer: _Renderer, statement: dict, path: Path) -> list[RuleMatch]:
        matches = [
            RuleMatch(
                [*path, key], f"{key} in an Allow statement grants everything it does not list"
            )
            for key in ("NotAction", "NotResource")
            if key in statement
        ]
        for action, a_path in _items(statement.get("Action", []), [*path, "Action"]):
            if not isinstance(action, str):
                matches.append(
                    RuleMatch(a_path, "The action is not a literal; it cannot be checked")
                )
            elif _has_wildcard(action):
                matches.append(RuleMatch(a_path, f"Action {action!r} has a wildcard"))
        for resource, r_path in _items(statement.get("Resource", []), [*path, "Resource"]):
            message = self._resource(renderer, resource)
            if message:
                matches.append(RuleMatch(r_path, message))
        return matches

    @staticmethod
    def _resource(renderer: _Renderer, resource: Any) -> str | None:
        """Why the resource breaks the rule, or None when it is explicit."""
        if resource == "*":
            return "Resource is '*'"
        try:
            parts = renderer.render(resource)
        except Unresolvable as reason:
            return f"The resource cannot be checked: {reason}"
        literal = "".join(p for p in parts if isinstance(p, str))
        if not _has_wildcard(literal):
            return None
        if _own_bucket_objects(renderer, parts):
            return None
        shown = "".join(p if isinstance(p, str) else "${" + _label(p) + "}" for p in parts)
        return (
            f"Resource {shown!r} has a wildcard; only the trailing object-key wildcard of an S3"
            " bucket this template creates is allowed"
        )


def _label(ref: _Ref) -> str:
    return f"{ref.name}.{ref.attribute}" if ref.attribute else ref.name


def _own_bucket_objects(renderer: _Renderer, parts: list[str | _Ref]) -> bool:
    """`arn:<partition>:s3:::<bucket>/<key prefix>*` (or `<bucket ARN>/<key prefix>*`), the
    bucket an AWS::S3::Bucket of this template, one `*` and it last."""
    text = ""
    for part in parts:
        if isinstance(part, str):
            text += part
        elif part.name == _PSEUDO_PARTITION and part.attribute is None:
            text += "aws"
        elif renderer.type_of(part.name) == "AWS::S3::Bucket" and part.attribute in (None, "Arn"):
            prefix = "arn:aws:s3:::" if part.attribute == "Arn" else ""
            text += prefix + "\x00bucket\x00"
        else:
            text += "\x00other\x00"
    return re.fullmatch(r"arn:aws[a-z-]*:s3:::\x00bucket\x00/[^*?\x00]*\*", text) is not None


class IamManagedPolicy(CloudFormationLintRule):
    """IAM role attaches a managed policy this template does not show.

    A managed policy's document is invisible to anything reading the template, so any wildcard
    in it escapes E9101 and checkov. Allowed: customer managed policies defined in this template
    (Ref to an AWS::IAM::ManagedPolicy, which E9101 checks) and the AWS managed policies SAM
    attaches by itself, listed with their reasons in ACCEPTED_MANAGED_POLICIES. Anything else (an
    AWS managed policy named in Policies, a policy ARN from outside the template) is flagged.
    """

    id = "E9102"
    shortdesc = "IAM role attaches a managed policy the template does not show"
    description = (
        "Managed policies are limited to ones defined in the template and the AWS managed"
        " policies SAM attaches by itself"
    )
    source_url = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html"
    )
    tags: ClassVar[list[str]] = ["iam", "least-privilege"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        renderer = _Renderer(cfn.template)
        matches: list[RuleMatch] = []
        for name, resource in (cfn.template.get("Resources") or {}).items():
            if not isinstance(resource, dict) or resource.get("Type") not in _ATTACHES_MANAGED:
                continue
            properties = resource.get("Properties") or {}
            path: Path = ["Resources", name, "Properties", "ManagedPolicyArns"]
            for arn, arn_path in _items(properties.get("ManagedPolicyArns", []), path):
                message = self._arn(renderer, arn)
                if message:
                    matches.append(RuleMatch(arn_path, message))
        return matches

    @staticmethod
    def _arn(renderer: _Renderer, arn: Any) -> str | None:
        try:
            parts = renderer.render(arn)
        except Unresolvable as reason:
            return f"The managed policy cannot be checked: {reason}"
        # A customer managed policy of this template: E9101 checks its document.
        only = parts[0] if len(parts) == 1 else None
        if isinstance(only, _Ref) and renderer.type_of(only.name) == "AWS::IAM::ManagedPolicy":
            return None
        text = "".join(
            p if isinstance(p, str) else ("aws" if p.name == _PSEUDO_PARTITION else "\x00")
            for p in parts
        )
        aws_managed = re.fullmatch(r"arn:aws[a-z-]*:iam::aws:policy/([\w+=,.@/-]+)", text)
        if aws_managed and aws_managed.group(1) in ACCEPTED_MANAGED_POLICIES:
            return None
        shown = aws_managed.group(1) if aws_managed else text.replace("\x00", "${...}")
        return (
            f"Managed policy {shown!r}: its document is not in the template, so its wildcards"
            " cannot be checked; write the statements inline"
        )
