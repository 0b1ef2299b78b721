package policyfile

// GatewayKeys are the keys a gateway file (corskit proxy --config) holds
// besides the policy's. proxy reads them; lint accepts them beside a policy
// without importing the gateway.
func GatewayKeys() []string {
	return []string{"upstream", "listen", "admin_listen", "report_only", "preserve_host", "trusted_proxies", "case_sensitive_routes", "routes"}
}
