# The same Lex module, valid HCL.
variable "bot_role_arn" {
  type = string
}

resource "aws_lexv2models_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = var.bot_role_arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}
