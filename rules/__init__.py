"""lexiam rule pack: the Lex V2 data and one module per rule family."""
