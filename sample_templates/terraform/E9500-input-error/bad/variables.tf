variable "bot_role_arn" {
  type = string
}
