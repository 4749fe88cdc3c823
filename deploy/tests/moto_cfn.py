"""Our templates as far as moto's CloudFormation can create them.

moto implements CloudFormation for some resource types only (EC2, RDS instances, IAM, S3,
Logs …: `moto.cloudformation.parsing.get_model_map()`); for the others it fails the whole
stack as soon as something refers to them. `moto_subset` removes the resources moto cannot
create and puts a recognisable stand-in wherever the rest refers to them, so that
everything moto can create is created from the real template and can be checked.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cfnlint.decode import cfn_yaml

STAND_IN = "arn:aws:moto:eu-west-3:123456789012:not-created:{}"  # 7 ':'-fields, like ARNs
# Types moto creates but whose Ref it answers with an object instead of a name (moto 5.2):
# a property naming one is left out, so the referring resource is still created.
REF_UNUSABLE = {"AWS::RDS::DBParameterGroup"}


def stand_in(name: str) -> str:
    return STAND_IN.format(name)


def moto_subset(body: str) -> tuple[str, list[str]]:
    """(the template moto can create, as JSON; the logical ids of what it cannot)."""
    from moto.cloudformation.parsing import get_model_map

    template = json.loads(json.dumps(cfn_yaml.loads(body)))  # plain dicts, intrinsic long form
    for resource in template["Resources"].values():
        _cluster_version(template, resource)
    supported = set(get_model_map())
    skipped = sorted(name for name, resource in template["Resources"].items()
                     if resource["Type"] not in supported)
    template.pop("Transform", None)
    for name in skipped:
        del template["Resources"][name]
    unusable = {name for name, resource in template["Resources"].items()
                if resource["Type"] in REF_UNUSABLE}
    pattern = re.compile(r"\$\{(" + "|".join(map(re.escape, skipped)) + r")(\.[\w.]+)?\}")

    def fix(node: Any) -> Any:
        if isinstance(node, list):
            return [fix(item) for item in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Ref"} and node["Ref"] in skipped:
            return stand_in(node["Ref"])
        if set(node) == {"Ref"} and node["Ref"] in unusable:
            return {"Ref": "AWS::NoValue"}
        if set(node) == {"Fn::GetAtt"}:
            target = node["Fn::GetAtt"]
            target = target.split(".", 1) if isinstance(target, str) else target
            if target[0] in skipped:
                return stand_in("-".join(target))
        if set(node) == {"Fn::Sub"} and skipped:
            sub = node["Fn::Sub"]
            if isinstance(sub, str):
                return {"Fn::Sub": pattern.sub(lambda m: stand_in(m.group(1)), sub)}
            return {"Fn::Sub": [pattern.sub(lambda m: stand_in(m.group(1)), sub[0]),
                                fix(sub[1])]}
        return {key: fix(value) for key, value in node.items()}

    for resource in template["Resources"].values():
        depends = resource.get("DependsOn")
        if depends:
            depends = [depends] if isinstance(depends, str) else depends
            resource["DependsOn"] = [d for d in depends if d not in skipped]
    return json.dumps(fix(template)), skipped


def _cluster_version(template: dict, resource: dict) -> None:
    """An Aurora instance takes its cluster's engine version (AWS); moto 5.2 wants it named
    on the instance too (it has no default for aurora-postgresql): name the cluster's."""
    props = resource.get("Properties", {})
    cluster = props.get("DBClusterIdentifier")
    if resource["Type"] != "AWS::RDS::DBInstance" or not isinstance(cluster, dict) \
            or "EngineVersion" in props:
        return
    target = template["Resources"].get(cluster.get("Ref", ""), {})
    if "EngineVersion" in target.get("Properties", {}):
        props["EngineVersion"] = target["Properties"]["EngineVersion"]
