"""Health checks for load balancers and orchestrators: is the process up, can it reach its services."""
