package gen

// The gen targets that came before the registry and have no stack file of
// their own yet: proxies the doctor does not write for, storage services
// (recognised by check/storage.go from their error bodies) and Kubernetes.
func init() {
	storageWhere := whereNote("; given the bucket's current rules, the fix keeps them")
	for _, s := range []Stack{
		{Name: "apache", Title: "Apache httpd (mod_headers)", Proof: "proved by gen's TestApache (the engines' models)"},
		{Name: "envoy", Title: "Envoy", Proof: "not proved: Envoy is not packaged here; TestEnvoyAndTraefik checks the YAML and its origin expressions"},
		{Name: "traefik", Title: "Traefik", Proof: "not proved: Traefik is not packaged here; TestEnvoyAndTraefik checks the YAML and its origin expressions"},
		{Name: "s3", Title: "Amazon S3 bucket CORS", Doctor: true, Snippet: storageWhere, Proof: "proved on s3rver by gen's storage tests"},
		{Name: "azure-blob", Title: "Azure Blob Storage CORS", Doctor: true, Proof: "proved on Azurite by gen's storage tests"},
		{Name: "gcs", Title: "Google Cloud Storage bucket CORS", Doctor: true, Snippet: storageWhere, Proof: "not proved on a server: no emulator here; checked against the documented JSON"},
		{Name: "gateway-api", Title: "Kubernetes Gateway API HTTPRoute", Doctor: true, Proof: "not proved on a cluster: checked against the published schema"},
		{Name: "ingress-nginx", Title: "Kubernetes ingress-nginx annotations", Doctor: true, Proof: "not proved on a cluster: checked against the documented annotations"},
	} {
		register(s)
	}
}
