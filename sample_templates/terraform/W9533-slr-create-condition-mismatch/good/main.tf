# The condition names the service of each role path: replication.lexv2.amazonaws.com for the replication role,
# lexv2.amazonaws.com for the bots' role (whose path holds the service name as a suffix of the other's: still the
# right pair); a condition on another key than iam:AWSServiceName, and a statement for every service-linked role,
# are not judged.
data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "lex_slr" {
  statement {
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/replication.lexv2.amazonaws.com/AWSServiceRoleForLexV2Replication*"]
    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["replication.lexv2.amazonaws.com"]
    }
  }
  statement {
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots*"]
    condition {
      test     = "StringLike"
      variable = "iam:AWSServiceName"
      values   = ["lexv2.amazonaws.com"]
    }
  }
  statement {
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/channels.lexv2.amazonaws.com/AWSServiceRoleForLexV2Channels*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }
  statement {
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/*"]
    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["lexv2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "lex_slr" {
  role   = "deploy"
  policy = data.aws_iam_policy_document.lex_slr.json
}
