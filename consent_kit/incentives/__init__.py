"""Thank-you payments: the project budget and ledger, incentive rules, claims, and their pages.

Registered as the built-in plugin ``incentives``, so it can be blocked like the others."""
