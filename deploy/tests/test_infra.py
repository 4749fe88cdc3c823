"""The stacks of `make infra` (network, backend, data, auth): their promises read from the
templates, their deployment on moto's CloudFormation (as far as moto implements it), and
the outputs → zappa_settings.json step."""

from __future__ import annotations

import json
import shutil

import boto3
import pytest
from cfnlint.decode import cfn_yaml

from deploy import infra

from .conftest import ROOT
from .moto_cfn import moto_subset, stand_in

TEMPLATES = ROOT / "deploy" / "templates"
REGION = "eu-west-3"
REHEARSAL = "rehearsal"  # a stage of its own: moto's state is shared by the whole session
EMAIL_IDENTITY = "arn:aws:ses:eu-west-3:123456789012:identity/tickets.example.com"


def load(name: str) -> dict:
    return cfn_yaml.load(str(TEMPLATES / f"{name}.yaml"))


def resources(template: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


# --------------------------------------------------------------------------- templates

def test_the_serverless_cluster_pauses_and_is_reached_with_iam():
    data = load("data")
    cluster = data["Resources"]["Cluster"]
    props = cluster["Properties"]
    assert cluster["Condition"] == "IsAurora"
    assert props["ServerlessV2ScalingConfiguration"]["MinCapacity"] == {"Ref": "MinCapacity"}
    assert data["Parameters"]["MinCapacity"]["Default"] == 0
    assert props["EnableIAMDatabaseAuthentication"] is True
    assert props["StorageEncrypted"] is True and props["DeletionProtection"] is True
    assert cluster["DeletionPolicy"] == cluster["UpdateReplacePolicy"] == "Snapshot"
    params = data["Resources"]["ClusterParameters"]["Properties"]["Parameters"]
    assert params["idle_session_timeout"] == {"Fn::Sub": "${IdleSessionTimeoutSeconds}000"}
    assert data["Resources"]["ClusterInstance"]["Properties"]["DBInstanceClass"] == \
        "db.serverless"
    # Auto-pause does not work behind RDS Proxy: small has none.
    assert infra.PROFILES["small"]["RdsProxy"] == "false"
    assert infra.PROFILES["small"]["MinCapacity"] == "0"


def test_database_is_private_encrypted_backed_up_and_kept():
    data = load("data")
    db = data["Resources"]["Database"]
    props = db["Properties"]
    assert props["StorageEncrypted"] is True and props["PubliclyAccessible"] is False
    assert props["MultiAZ"] == {"Ref": "MultiAZ"}
    assert data["Parameters"]["BackupRetentionDays"]["Default"] >= 7
    assert props["BackupRetentionPeriod"] == {"Ref": "BackupRetentionDays"}
    assert props["DeletionProtection"] is True
    assert db["DeletionPolicy"] == db["UpdateReplacePolicy"] == "Snapshot"
    # The password is generated into the secret and never passes through a parameter.
    assert "secretsmanager" in json.dumps(props["MasterUserPassword"])
    assert not any(p.get("NoEcho") or "Password" in name
                   for name, p in data["Parameters"].items())
    secret = data["Resources"]["DatabaseSecret"]["Properties"]
    assert secret["GenerateSecretString"]["PasswordLength"] >= 32
    params = data["Resources"]["DatabaseParameters"]["Properties"]["Parameters"]
    assert params["rds.force_ssl"] == "1"
    assert (params["lock_timeout"], params["statement_timeout"]) == ("5000", "20000")


def test_secret_rotates_and_the_functions_sign_in_with_iam():
    data = load("data")
    rotation = data["Resources"]["DatabaseSecretRotation"]["Properties"]
    assert rotation["HostedRotationLambda"]["RotationType"] == "PostgreSQLSingleUser"
    assert rotation["RotationRules"]["AutomaticallyAfterDays"] == {"Ref": "RotationDays"}
    assert data["Transform"] == "AWS::SecretsManager-2020-07-23"
    proxy = data["Resources"]["Proxy"]["Properties"]
    assert proxy["RequireTLS"] is True and proxy["EngineFamily"] == "POSTGRESQL"
    (auth,) = proxy["Auth"]
    assert auth["IAMAuth"] == "REQUIRED" and auth["SecretArn"] == {"Ref": "DatabaseSecret"}
    access = data["Resources"]["LambdaDatabaseAccess"]["Properties"]
    (statement,) = access["PolicyDocument"]["Statement"]
    assert statement["Action"] == "rds-db:connect"
    assert json.dumps(statement["Resource"]).count("/marquee") == 1  # as user marquee only
    # The functions' role reads no database secret with the data stack.
    backend = load("backend")
    assert backend["Parameters"]["DatabaseSecretArn"]["Default"] == ""


def test_security_groups_open_only_the_paths_between_tiers():
    data = load("data")
    groups = resources(data, "AWS::EC2::SecurityGroup")

    def rules(rule):  # a rule, or both sides of an Fn::If (with the proxy, without)
        if "Fn::If" in rule:
            return [r for side in rule["Fn::If"][1:] for r in rules(side)]
        return [rule]

    ingress = {name: [(r["FromPort"], r["ToPort"], r.get("SourceSecurityGroupId"))
                      for rule in g["Properties"].get("SecurityGroupIngress", [])
                      for r in rules(rule)]
               for name, g in groups.items()}
    lambda_sg = {"Ref": "LambdaSecurityGroupId"}
    assert ingress == {
        "ProxySecurityGroup": [(5432, 5432, lambda_sg)],
        # Through the proxy (busy) or straight from the functions (small).
        "DatabaseSecurityGroup": [(5432, 5432, {"Ref": "ProxySecurityGroup"}),
                                  (5432, 5432, lambda_sg),
                                  (5432, 5432, {"Ref": "RotationSecurityGroup"})],
        "RotationSecurityGroup": [],
        "CacheSecurityGroup": [(6379, 6380, lambda_sg)],
    }
    assert not any("CidrIp" in r for g in groups.values()
                   for rule in g["Properties"].get("SecurityGroupIngress", [])
                   for r in rules(rule))


def test_cache_is_serverless_with_limits():
    cache = load("data")["Resources"]["Cache"]["Properties"]
    assert cache["Engine"] == {"Ref": "CacheEngine"}
    assert set(cache["CacheUsageLimits"]) == {"DataStorage", "ECPUPerSecond"}
    # TLS cannot be turned off on a serverless cache; the URL says rediss://.
    assert "rediss://" in json.dumps(load("data")["Outputs"]["RedisUrl"])


def test_private_subnets_reach_the_internet_only_through_nat():
    network = load("network")
    routes = resources(network, "AWS::EC2::Route")
    targets = {r["Properties"]["RouteTableId"]["Ref"]: set(r["Properties"]) - {
        "RouteTableId", "DestinationCidrBlock"} for r in routes.values()}
    assert targets == {"PublicRouteTable": {"GatewayId"},
                       "PrivateRouteTableA": {"NatGatewayId"},
                       "PrivateRouteTableB": {"NatGatewayId"}}
    assert {routes[name]["Condition"] for name in routes if name.startswith("Private")} == {
        "UseNatGateway"}
    # With the NAT instance, it points both private route tables at itself when it boots
    # (the route cannot name an instance the auto-scaling group has yet to start).
    boot = json.dumps(network["Resources"]["NatLaunchTemplate"]["Properties"])
    assert "replace-route" in boot and "PrivateRouteTableA" in boot and "PrivateRouteTableB" in boot
    assert "associate-address" in boot and "MASQUERADE" in boot
    group = network["Resources"]["NatInstanceGroup"]["Properties"]
    assert (group["MinSize"], group["MaxSize"]) == ("1", "1")
    for name in ("PublicSubnetA", "PublicSubnetB", "PrivateSubnetA", "PrivateSubnetB"):
        assert network["Resources"][name]["Properties"].get("MapPublicIpOnLaunch") in (
            None, False)


def test_user_pool_signs_in_by_verified_email_and_the_spa_is_a_public_pkce_client():
    auth = load("auth")
    pool = auth["Resources"]["UserPool"]["Properties"]
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"][0]["Name"] == "verified_email"
    assert auth["Resources"]["UserPool"]["DeletionPolicy"] == "Retain"
    client = auth["Resources"]["SpaClient"]["Properties"]
    assert client["GenerateSecret"] is False  # a browser keeps no secret
    assert client["AllowedOAuthFlows"] == ["code"]  # no implicit flow; PKCE on top
    # Choice-based sign-in (USER_AUTH: the emailed code) and refresh; no SRP or password flows.
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert {"openid", "email"} <= set(client["AllowedOAuthScopes"])
    assert client["CallbackURLs"] == [{"Fn::Sub": "https://${DomainName}/auth/callback"}]
    assert client["LogoutURLs"] == [{"Fn::Sub": "https://${DomainName}/"}]
    # Passwordless: a one-time code emailed through SES (Cognito's own sender cannot),
    # on the Essentials plan at least, shown by managed login (version 2) pages.
    assert "EMAIL_OTP" in pool["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"]
    assert pool["UserPoolTier"] == {"Ref": "FeaturePlan"}
    assert auth["Parameters"]["FeaturePlan"]["AllowedValues"] == ["ESSENTIALS", "PLUS"]
    assert pool["EmailConfiguration"]["EmailSendingAccount"] == "DEVELOPER"
    assert pool["EmailConfiguration"]["SourceArn"] == {"Ref": "EmailIdentityArn"}
    assert auth["Resources"]["HostedDomain"]["Properties"]["ManagedLoginVersion"] == 2
    branding = auth["Resources"]["ManagedLogin"]["Properties"]
    assert branding["ClientId"] == {"Ref": "SpaClient"} and branding["UseCognitoProvidedValues"]
    outputs = auth["Outputs"]
    assert outputs["CognitoIssuer"]["Value"] == {
        "Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"}


# --------------------------------------------------------------------------- moto

# What moto 5.2's CloudFormation cannot create; everything else in the templates is.
NOT_ON_MOTO = {
    "network": [],
    "backend": ["ConfigBucketPolicy", "StripeSecret"],
    "data": ["Cache", "Cluster", "ClusterParameters", "DatabaseSecret",
             "DatabaseSecretAttachment", "DatabaseSecretRotation", "Proxy", "ProxyTargets",
             "RotationToDatabase"],
    "auth": ["HostedDomain", "ManagedLogin", "SpaClient", "UserPool"],
}


def _deploy(moto_server, profile: str, stage: str):
    """`make infra PROFILE=…` against moto: every stack, in order, from the real templates."""
    import os

    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    session = boto3.session.Session(region_name=REGION)
    clients = {name: session.client(name, endpoint_url=moto_server)
               for name in ("cloudformation", "ec2", "rds", "iam", "autoscaling", "dynamodb")}
    skipped: dict[str, list[str]] = {}

    def load_for_moto(part: str) -> str:
        body, skipped[part] = moto_subset(infra.read_template(part))
        return body

    options = infra.Options(stage=stage, domain="tickets.example.com", profile=profile,
                            email_identity_arn=EMAIL_IDENTITY)
    outputs = infra.deploy_all(clients["cloudformation"], options, load=load_for_moto,
                               delay=1)
    again = infra.deploy_all(clients["cloudformation"], options, load=load_for_moto,
                             delay=1)
    yield {"outputs": outputs, "again": again, "skipped": skipped, "stage": stage, **clients}
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def deployed(moto_server):
    """Profile busy (RDS, RDS Proxy, NAT gateway, ElastiCache)."""
    yield from _deploy(moto_server, "busy", REHEARSAL)


@pytest.fixture(scope="module")
def deployed_small(moto_server):
    """Profile small, the default (Aurora Serverless v2 at 0 ACU, NAT instance, no cache)."""
    yield from _deploy(moto_server, "small", f"{REHEARSAL}-small")


@pytest.mark.parametrize("profile", ["busy", "small"])
def test_every_stack_deploys_in_order_on_moto(request, profile):
    deployed = request.getfixturevalue("deployed" if profile == "busy" else "deployed_small")
    assert deployed["skipped"] == NOT_ON_MOTO
    cf = deployed["cloudformation"]
    for part in infra.PARTS:
        stack = cf.describe_stacks(StackName=f"marquee-{deployed['stage']}-{part}")[
            "Stacks"][0]
        assert stack["StackStatus"].endswith("_COMPLETE"), stack["StackStatus"]
    assert deployed["again"]["network"] == deployed["outputs"]["network"]  # re-runnable


def test_the_small_profile_on_moto(deployed_small):
    """A NAT instance (auto-scaling group of one) instead of the gateway, Aurora
    Serverless v2 reached directly by the functions, the state table, no cache."""
    d, stage = deployed_small, deployed_small["stage"]
    net = d["outputs"]["network"]
    assert net["NatMode"] == "instance"
    (group,) = d["autoscaling"].describe_auto_scaling_groups(
        AutoScalingGroupNames=[f"marquee-{stage}-nat"])["AutoScalingGroups"]
    assert (group["MinSize"], group["MaxSize"], group["DesiredCapacity"]) == (1, 1, 1)
    template = d["ec2"].describe_launch_template_versions(
        LaunchTemplateName=f"marquee-{stage}-nat")["LaunchTemplateVersions"][0][
        "LaunchTemplateData"]
    assert template["InstanceType"] == "t4g.nano"
    gateways = d["ec2"].describe_nat_gateways(
        Filters=[{"Name": "vpc-id", "Values": [net["VpcId"]]}])["NatGateways"]
    assert gateways == []
    (instance,) = d["rds"].describe_db_instances(
        DBInstanceIdentifier=f"marquee-{stage}-1")["DBInstances"]
    assert instance["Engine"] == "aurora-postgresql"
    assert instance["DBInstanceClass"] == "db.serverless"
    data = d["outputs"]["data"]
    assert data["DatabasePauses"] == "true" and "RedisUrl" not in data
    assert "ProxyEndpoint" not in data
    table = d["dynamodb"].describe_table(TableName=d["outputs"]["backend"]["StateTableName"])
    assert table["Table"]["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    groups = {g["Description"]: g for g in d["ec2"].describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [net["VpcId"]]}])["SecurityGroups"]}
    database = groups[f"Marquee {stage} RDS: PostgreSQL from the proxy and the rotation function"]
    lambda_sg = d["outputs"]["backend"]["LambdaSecurityGroupId"]
    assert next(u["GroupId"] for p in database["IpPermissions"] for u in p["UserIdGroupPairs"]
                if p["FromPort"] == 5432) == lambda_sg  # no proxy in between
    assert f"Marquee {stage} RDS Proxy: PostgreSQL from the functions" not in groups
    assert f"Marquee {stage} ElastiCache Serverless: from the functions" not in groups


def test_the_network_on_moto(deployed):
    ec2, net = deployed["ec2"], deployed["outputs"]["network"]
    vpc = ec2.describe_vpcs(VpcIds=[net["VpcId"]])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [net["VpcId"]]}])
    private = [s for s in subnets["Subnets"] if s["SubnetId"] in net["PrivateSubnetIds"]]
    assert len(subnets["Subnets"]) == 4 and len(private) == 2
    assert len({s["AvailabilityZone"] for s in private}) == 2
    tables = ec2.describe_route_tables(
        RouteTableIds=net["PrivateRouteTableIds"].split(","))["RouteTables"]
    for table in tables:
        default = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        assert [r.get("NatGatewayId", "")[:4] for r in default] == ["nat-"]
    assert len(ec2.describe_nat_gateways()["NatGateways"]) >= 1


def test_the_data_tier_on_moto(deployed):
    rds, ec2, iam = deployed["rds"], deployed["ec2"], deployed["iam"]
    db = rds.describe_db_instances(DBInstanceIdentifier=f"marquee-{REHEARSAL}")[
        "DBInstances"][0]
    assert db["Engine"] == "postgres" and db["StorageEncrypted"]
    assert db["BackupRetentionPeriod"] == 7 and db["MultiAZ"] is False
    assert db["PubliclyAccessible"] is False  # (moto ignores DeletionProtection)
    assert db["DBName"] == "marquee"
    assert deployed["outputs"]["data"]["DatabaseEndpoint"] == db["Endpoint"]["Address"]
    groups = {g["Description"]: g for g in ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [deployed["outputs"]["network"]["VpcId"]]}])[
        "SecurityGroups"]}
    lambda_sg = deployed["outputs"]["backend"]["LambdaSecurityGroupId"]
    proxy = groups[f"Marquee {REHEARSAL} RDS Proxy: PostgreSQL from the functions"]
    assert [(p["FromPort"], [u["GroupId"] for u in p["UserIdGroupPairs"]])
            for p in proxy["IpPermissions"]] == [(5432, [lambda_sg])]
    cache = groups[f"Marquee {REHEARSAL} ElastiCache Serverless: from the functions"]
    assert [(p["FromPort"], p["ToPort"]) for p in cache["IpPermissions"]] == [(6379, 6380)]
    policy = iam.get_role_policy(RoleName=f"marquee-{REHEARSAL}-lambda",
                                 PolicyName=f"marquee-{REHEARSAL}-database")
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == "rds-db:connect"
    assert statement["Resource"].endswith(":dbuser:Proxy-DBProxyArn/marquee")  # moto stand-in


# --------------------------------------------------------------------------- settings

# Outputs of the resources moto cannot create, shaped as AWS answers them.
AWS_SHAPED = {
    "backend": {"StripeSecretArn":
                "arn:aws:secretsmanager:eu-west-3:123456789012:secret:marquee/production/stripe-Ab12Cd"},
    "data": {"DatabaseUrl": "postgres://marquee@marquee-production.proxy-c0abcdefghij"
                            ".eu-west-3.rds.amazonaws.com:5432/marquee?sslmode=require",
             "RedisUrl": "rediss://marquee-production-x1yz2a.serverless.euw3.cache"
                         ".amazonaws.com:6379/0"},
    "auth": {"CognitoIssuer": "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_Ab1Cd2Ef3",
             "SpaClientId": "4abcdefghijklmnopqrstuvwxy",
             "AuthBase": "https://marquee-production-123456789012.auth.eu-west-3"
                         ".amazoncognito.com"},
}


def stage_outputs(deployed, stage: str) -> infra.StageOutputs:
    outputs = {part: {k: v for k, v in values.items() if "not-created" not in v}
               for part, values in deployed["outputs"].items()}
    for part, values in AWS_SHAPED.items():
        outputs[part].update(values)
    return infra.StageOutputs(stage=stage, region=REGION, outputs=outputs,
                              domain="tickets.example.com")


@pytest.mark.parametrize("stage", ["production", "dev"])
def test_outputs_fill_every_replace_me_a_stack_can(deployed, tmp_path, stage, capsys):
    path = tmp_path / "zappa_settings.json"
    shutil.copy(ROOT / "zappa_settings.json", path)
    before = infra.placeholders(json.loads(path.read_text()), stage)
    assert before  # the committed file is a template
    found = stage_outputs(deployed, stage)
    assert infra.settings_command(found, path, write=True) == 0
    settings = json.loads(path.read_text())
    config = infra.resolved(settings, stage)
    env = config["aws_environment_variables"]
    moto = deployed["outputs"]
    assert config["role_arn"] == moto["backend"]["LambdaRoleArn"]
    assert config["vpc_config"] == {
        "SubnetIds": moto["network"]["PrivateSubnetIds"].split(","),
        "SecurityGroupIds": [moto["backend"]["LambdaSecurityGroupId"]]}
    assert config["remote_env"] == f"s3://{moto['backend']['ConfigBucketName']}/{stage}.json"
    assert env["DATABASE_URL"] == AWS_SHAPED["data"]["DatabaseUrl"]
    assert env["DATABASE_IAM_AUTH"] == "true" and "DATABASE_SECRET_ARN" not in env
    assert env["REDIS_URL"].startswith("rediss://")
    assert env["COGNITO_ISSUER"] == AWS_SHAPED["auth"]["CognitoIssuer"]
    assert env["COGNITO_CLIENT_IDS"] == AWS_SHAPED["auth"]["SpaClientId"]
    assert env["MEDIA_BUCKET"] == moto["backend"]["MediaBucketName"]
    assert env["ALLOWED_HOSTS"] == "tickets.example.com,.execute-api.eu-west-3.amazonaws.com"
    # Only what no stack can know is left, and it is said what to do about it.
    assert infra.placeholders(settings, stage) == [
        "aws_environment_variables.STRIPE_PUBLISHABLE_KEY"]
    assert "Stripe's dashboard" in capsys.readouterr().err
    # The other stage is untouched.
    other = "dev" if stage == "production" else "production"
    assert settings[other] == json.loads((ROOT / "zappa_settings.json").read_text())[other]


def test_a_placeholder_no_stack_fills_fails_the_command(deployed, tmp_path):
    path = tmp_path / "zappa_settings.json"
    shutil.copy(ROOT / "zappa_settings.json", path)
    found = stage_outputs(deployed, "production")
    del found.outputs["data"]  # the data stack was not deployed
    assert infra.settings_command(found, path, write=True) == 1


def test_spa_build_variables_come_from_the_auth_stack(deployed):
    text = infra.spa_env(stage_outputs(deployed, "production"))
    assert text == (f"export VITE_AUTH_BASE={AWS_SHAPED['auth']['AuthBase']}\n"
                    f"export VITE_AUTH_CLIENT_ID={AWS_SHAPED['auth']['SpaClientId']}\n")


def test_parameters_flow_from_stack_to_stack():
    outputs = {"network": {"VpcId": "vpc-1", "VpcCidr": "10.0.0.0/16",
                           "PrivateSubnetIds": "subnet-a,subnet-b",
                           "PrivateRouteTableIds": "rtb-a,rtb-b"},
               "backend": {"LambdaSecurityGroupId": "sg-1",
                           "LambdaRoleArn": "arn:aws:iam::123456789012:role/marquee-dev-lambda"}}
    options = infra.Options(stage="dev", domain="dev.tickets.example.com", multi_az=True)
    assert infra.parameters("data", options, outputs) == {
        "Stage": "dev", "VpcId": "vpc-1", "PrivateSubnetIds": "subnet-a,subnet-b",
        "LambdaSecurityGroupId": "sg-1", "LambdaRoleName": "marquee-dev-lambda",
        "MultiAZ": "true", "DBInstanceClass": "db.t4g.micro", "CacheEngine": "valkey",
        # the default profile, small
        "DatabaseEngine": "aurora-serverless", "RdsProxy": "false", "CacheKind": "none",
        "MinCapacity": "0"}
    busy = infra.Options(stage="dev", domain="d.example.com", profile="busy")
    assert {k: infra.parameters("data", busy, outputs)[k] for k in (
        "DatabaseEngine", "RdsProxy", "CacheKind")} == {
        "DatabaseEngine": "rds", "RdsProxy": "true", "CacheKind": "elasticache"}
    assert infra.parameters("network", busy, outputs)["NatMode"] == "gateway"
    assert infra.parameters("network", options, outputs)["NatMode"] == "instance"
    options.email_identity_arn = ""
    with pytest.raises(SystemExit, match="email-identity-arn"):
        infra.parameters("auth", options, outputs)
    options.email_identity_arn = EMAIL_IDENTITY
    options.email_from = "Marquee <tickets@tickets.example.com>"
    auth = infra.parameters("auth", options, outputs)
    assert (auth["DomainName"], auth["EmailIdentityArn"], auth["EmailFrom"]) == (
        "dev.tickets.example.com", EMAIL_IDENTITY, "Marquee <tickets@tickets.example.com>")
    for part in infra.PARTS:  # every parameter named exists in its template
        names = set(load(part)["Parameters"])
        assert set(infra.parameters(part, options, outputs)) <= names, part


def test_the_settings_file_keeps_its_layout():
    """`settings --write` rewrites zappa_settings.json: in the layout it is committed in,
    so that only the changed values show in a diff."""
    text = (ROOT / "zappa_settings.json").read_text()
    assert infra.dumps(json.loads(text)) + "\n" == text


def test_stand_ins_are_recognisable():
    assert "not-created" in stand_in("Proxy")


def test_small_profile_settings_name_no_cache_and_a_pausing_database(deployed_small):
    outputs = {part: {k: v for k, v in values.items() if "not-created" not in v}
               for part, values in deployed_small["outputs"].items()}
    outputs["data"]["DatabaseUrl"] = (
        "postgres://marquee@marquee-production.cluster-c0abcdefghij.eu-west-3.rds"
        ".amazonaws.com:5432/marquee?sslmode=require")
    found = infra.StageOutputs(stage="production", region=REGION, outputs=outputs,
                               domain="tickets.example.com")
    _, env = infra.zappa_values(found)
    assert env["DATABASE_PAUSES"] == "true" and env["DATABASE_IAM_AUTH"] == "true"
    assert env["REDIS_URL"] is None  # removed: a busy deployment's cache is not kept
    assert env["STATE_TABLE"] == f"marquee-{deployed_small['stage']}-state"


def test_busy_can_keep_the_aurora_cluster_of_a_small_deployment():
    """Switching small → busy without moving data: the cluster stays, it stops pausing."""
    options = infra.Options(stage="production", domain="t.example.com", profile="busy",
                            database_engine="aurora-serverless", min_capacity="0.5")
    params = infra.parameters("data", options, cost_outputs())
    assert (params["DatabaseEngine"], params["MinCapacity"], params["RdsProxy"]) == (
        "aurora-serverless", "0.5", "true")
    with pytest.raises(SystemExit, match="keeps Aurora from pausing"):
        infra.parameters("data", infra.Options(
            profile="busy", database_engine="aurora-serverless"), cost_outputs())


def cost_outputs():
    from deploy.cost import _OUTPUTS

    return _OUTPUTS
