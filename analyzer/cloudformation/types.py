"""What the CloudFormation front end knows about resource types: their neutral entity kind, what
``Ref`` returns, and which ``Fn::GetAtt`` attribute is an ARN."""

from __future__ import annotations

from lexiam import model

ENTITY = {
    "AWS::Lex::Bot": model.LEX_BOT,
    "AWS::Lex::BotAlias": model.LEX_BOT_ALIAS,
    "AWS::Lex::ResourcePolicy": model.LEX_RESOURCE_POLICY,
    "AWS::IAM::Role": model.IAM_ROLE,
    "AWS::IAM::ServiceLinkedRole": model.SERVICE_LINKED_ROLE,
    "AWS::IAM::Policy": model.IAM_POLICY,
    "AWS::IAM::ManagedPolicy": model.IAM_POLICY,
    "AWS::IAM::User": model.IAM_USER,
    "AWS::IAM::Group": model.IAM_GROUP,
    "AWS::Lambda::Function": model.LAMBDA_FUNCTION,
    "AWS::Serverless::Function": model.LAMBDA_FUNCTION,
    "AWS::Lambda::Permission": model.LAMBDA_PERMISSION,
    "AWS::Lambda::Alias": model.LAMBDA_ALIAS,
}

# Ref returns: "Id" (a physical ID), "Name", or "Arn"
REF_RETURNS = {
    "AWS::Lex::Bot": "Id",
    "AWS::Lex::BotAlias": "Id",
    "AWS::IAM::Role": "Name",
    "AWS::IAM::ServiceLinkedRole": "Name",
    "AWS::IAM::Policy": "Id",
    "AWS::IAM::ManagedPolicy": "Arn",
    "AWS::IAM::User": "Name",
    "AWS::IAM::Group": "Name",
    "AWS::Lambda::Function": "Name",
    "AWS::Serverless::Function": "Name",
}

# Fn::GetAtt attributes that are the resource's ARN
ARN_ATTRS = {
    "AWS::Lex::Bot": "Arn",
    "AWS::Lex::BotAlias": "Arn",
    "AWS::IAM::Role": "Arn",
    "AWS::IAM::ManagedPolicy": "PolicyArn",
    "AWS::Lambda::Function": "Arn",
    "AWS::Serverless::Function": "Arn",
}

LEX_V1_TYPES: frozenset[str] = frozenset()  # CloudFormation has no Lex V1 resource types

INTRINSICS = frozenset({
    "Ref", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If", "Fn::FindInMap", "Fn::GetAtt",
    "Fn::ImportValue", "Fn::Base64", "Fn::GetAZs", "Fn::Cidr", "Fn::Transform", "Fn::ToJsonString",
    "Fn::Length", "Fn::And", "Fn::Or", "Fn::Not", "Fn::Equals", "Fn::Contains", "Fn::EachMemberEquals",
    "Fn::EachMemberIn", "Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll", "Fn::Implies", "Fn::ForEach",
    "Fn::GetStackOutput",
})
