"""One router per area; each calls services and nothing else."""
