# A deployment role that may create the Lex V2 replication service-linked role, under a condition that names the
# bot service instead (W9533): the role path and the service name never agree, so the creation is denied.
data "aws_caller_identity" "current" {}

resource "aws_iam_role_policy" "lex_replication" {
  role = "deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:CreateServiceLinkedRole"
      Resource = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/replication.lexv2.amazonaws.com/AWSServiceRoleForLexV2Replication*"
      Condition = {
        StringEquals = {
          "iam:AWSServiceName" = "lexv2.amazonaws.com" # expect: W9533 "lexv2.amazonaws.com"
        }
      }
    }]
  })
}
