"""A Python CDK app built with the bluegreen-fleet package (the jsii binding of constructs/).

One VPC and one BlueGreenService with its ReleaseSupport, as a Python team would write it.
scripts/python-check.sh (called by .ci/run) installs PyPI's aws-cdk-lib, constructs and jsii
and the wheel jsii-pacmak built into a virtual environment, and synthesizes this app with
`cdk synth --app "python app.py"`; the checks at the end fail the synth when the binding
loses something (an enum passed as a plain string, a struct passed by value).
"""

import aws_cdk as cdk
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2

import bluegreen_fleet as bgf

app = cdk.App()
# Environment-agnostic: the availability zones resolve at deploy time, so synth needs no lookup.
stack = cdk.Stack(app, "orders-python")

vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)

service = bgf.BlueGreenService(
    stack,
    "Service",
    vpc=vpc,
    service_name="orders",
    container_port=8080,
    fleet=bgf.FleetOptions(
        instance_types=[ec2.InstanceType("m6i.large")],
        cpu=512,
        memory_mib=1024,
    ),
    # Tried on green first: the standby runs the new instance type before it takes traffic.
    green=bgf.FleetOverrides(instance_types=[ec2.InstanceType("m7i.large")]),
    min_tasks=2,
    max_tasks=6,
)
bgf.ReleaseSupport(stack, "Release", service=service, vpc=vpc, environment_name="prod")

# The binding, not only the template: the enum picks a fleet, and the fleet is the service's own.
green = service.fleet(bgf.FleetColor.GREEN)
assert green.color == bgf.FleetColor.GREEN, f"fleet(GREEN).color is {green.color!r}"
assert service.fleet(bgf.FleetColor.BLUE).color == bgf.FleetColor.BLUE

template = assertions.Template.from_stack(stack)
template.resource_count_is("AWS::ECS::Service", 2)
template.resource_count_is("AWS::AutoScaling::AutoScalingGroup", 2)
# Mixed-instances policy overrides: m6i.large on blue (the fleet), m7i.large on green (the override).
template.has_resource_properties(
    "AWS::AutoScaling::AutoScalingGroup",
    {
        "MixedInstancesPolicy": assertions.Match.object_like(
            {
                "LaunchTemplate": assertions.Match.object_like(
                    {"Overrides": [{"InstanceType": "m7i.large"}]}
                )
            }
        )
    },
)
functions = template.find_resources("AWS::Lambda::Function")
assert len(functions) >= 3, f"{len(functions)} Lambda functions, expected the 3 release handlers"

app.synth()
