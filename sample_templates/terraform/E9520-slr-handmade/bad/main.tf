# An ordinary IAM role under the service-linked roles' path, which IAM refuses (E9520).
resource "aws_iam_role" "bot" {
  name = "order-bot"
  path = "/aws-service-role/lexv2.amazonaws.com/" # expect: E9520 "/aws-service-role/lexv2.amazonaws.com/"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_lexv2models_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = aws_iam_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}
