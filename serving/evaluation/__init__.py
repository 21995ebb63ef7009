"""Product evaluations: conversation suites, τ²-retail gold-action replay and simulated episodes."""
