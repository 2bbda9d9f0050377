# A Terraform module with an HCL syntax error (E9500); the other file of the module is still analysed.
resource "aws_lexv2models_bot" "order" {
  name     = "OrderBot"
  role_arn = var.bot_role_arn
  idle_session_ttl_in_seconds = 300 300
} # expect: E9500 @5:37
