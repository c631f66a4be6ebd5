"""After acceptance: paper files, fees, defense, results, certificates, integrity records."""
