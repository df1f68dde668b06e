"""调查评估: pre-sentence investigations commissioned by courts, procuratorates, police, prisons."""
