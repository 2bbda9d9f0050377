"""The pages the rules' claims rest on, named once: each rule's ``evidence`` cites them by section.

A rule's docs page ("Why this is right") and ``lexiam explain`` show the page title, the section and the
address, and whether the page says the claim itself (direct) or the claim follows from what it says
(inferred). The ``says`` text is the project's summary, never a quotation.
"""

from __future__ import annotations

from dataclasses import dataclass

from lexiam.rules.registry import Evidence


@dataclass(frozen=True, slots=True)
class Page:
    title: str
    url: str

    def says(self, section: str, says: str, kind: str = "direct") -> Evidence:
        return Evidence(self.title, section, self.url, kind, says)


_LEX = "https://docs.aws.amazon.com/lexv2/latest/dg/"
_LEX_API = "https://docs.aws.amazon.com/lexv2/latest/APIReference/"
_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"

LEX_IAM = Page("How Amazon Lex V2 works with IAM", _LEX + "security_iam_service-with-iam.html")
LEX_RBP = Page("Resource-based policy examples for Amazon Lex V2", _LEX + "security_iam_resource-based-policy-examples.html")
LEX_SLR = Page("Using service-linked roles for Amazon Lex V2", _LEX + "using-service-linked-roles.html")
LEX_SERVICE_ROLES = Page("Using service roles for Amazon Lex V2", _LEX + "using-service-roles.html")
LEX_LAMBDA_API = Page("Attach an AWS Lambda function to a Amazon Lex V2 bot using API operations",
                      _LEX + "lambda-attach-api.html")
LEX_KENDRA = Page("AMAZON.KendraSearchIntent", _LEX + "built-in-intent-kendra-search.html")
LEX_CONVERSATION_LOGS = Page("IAM Policies for Conversation Logs", _LEX + "conversation-logs-policies.html")
LEX_REPLICATION = Page("Permissions to replicate bots and manage bot replicas in Lex V2", _LEX + "gr-permissions.html")
LEX_CRPS = Page("CreateResourcePolicyStatement (Amazon Lex V2 API Reference)",
                _LEX_API + "API_CreateResourcePolicyStatement.html")
LEX_CRP = Page("CreateResourcePolicy (Amazon Lex V2 API Reference)", _LEX_API + "API_CreateResourcePolicy.html")
LEX_DESCRIBE_ALIAS = Page("DescribeBotAlias (Amazon Lex V2 API Reference)", _LEX_API + "API_DescribeBotAlias.html")
LEX_V1_GUIDE = Page("Amazon Lex V1 Developer Guide (end-of-support notice on every page)",
                    "https://docs.aws.amazon.com/lex/latest/dg/what-is.html")
SAR_LEX_V2 = Page("Actions, resources, and condition keys for Amazon Lex V2",
                  "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonlexv2.html")
IAM_GLOBAL_KEYS = Page("AWS global condition context keys", _IAM + "reference_policies_condition-keys.html")
IAM_PRINCIPAL = Page("AWS JSON policy elements: Principal", _IAM + "reference_policies_elements_principal.html")
IAM_NOT_PRINCIPAL = Page("AWS JSON policy elements: NotPrincipal", _IAM + "reference_policies_elements_notprincipal.html")
IAM_EFFECT = Page("IAM JSON policy elements: Effect", _IAM + "reference_policies_elements_effect.html")
IAM_POLICY_CHECKS = Page("IAM Access Analyzer policy check reference", _IAM + "access-analyzer-reference-policy-checks.html")
IAM_PASS_ROLE = Page("Grant a user permissions to pass a role to an AWS service", _IAM + "id_roles_use_passrole.html")
IAM_SLR = Page("Create a service-linked role (IAM User Guide: Using service-linked roles)",
               _IAM + "using-service-linked-roles.html")
IAM_CREATE_SLR = Page("CreateServiceLinkedRole (IAM API Reference)",
                      "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html")
IAM_CONFUSED_DEPUTY = Page("The confused deputy problem", _IAM + "confused-deputy.html")
IAM_MANAGED_POLICIES = Page("AWS managed policies for Amazon Lex V2", _LEX + "security-iam-awsmanpol.html")
CFN_PSEUDO = Page("Get AWS values using pseudo parameters (CloudFormation User Guide)",
                  "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html")
CFN_LAMBDA_PERMISSION = Page("AWS::Lambda::Permission (CloudFormation resource reference)",
                             "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
                             "aws-resource-lambda-permission.html")
LAMBDA_RBP = Page("Viewing resource-based IAM policies in Lambda (AWS Lambda Developer Guide)",
                  "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html")
CFN_TEMPLATE = Page("CloudFormation template format", "https://docs.aws.amazon.com/AWSCloudFormation/latest/"
                    "UserGuide/template-formats.html")
TF_SYNTAX = Page("Terraform configuration syntax", "https://developer.hashicorp.com/terraform/language/syntax/configuration")
IAM_SLR_PATH_ERROR = Page("IAM's answer to CreateRole under /aws-service-role/, as reported in tilfin/aws-iam-policy-tool "
                          "pull request #9", "https://github.com/tilfin/aws-iam-policy-tool/pull/9")
LEXIAM_SUPPRESSIONS = Page("lexiam: Suppressions (docs/usage/suppressions.md)",
                           "https://github.com/lexiam/lexiam/blob/main/docs/usage/suppressions.md")
