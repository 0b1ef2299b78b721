package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/corskit/corskit/check"
)

const manifests = "../../deploy/kubernetes"

// readManifest decodes a manifest into v, refusing fields the Kubernetes
// API type does not have.
func readManifest(t *testing.T, name string, v any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(manifests, name))
	if err != nil {
		t.Fatal(err)
	}
	data, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatalf("%s: not YAML: %v", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s does not read as %T: %v", name, v, err)
	}
}

// checkGatewayPod holds a pod template's corskit container to what running
// the gateway safely needs: non-root, read-only, no privilege; probes on
// the admin port's /healthz and /readyz.
func checkGatewayPod(t *testing.T, name string, pod corev1.PodTemplateSpec) corev1.Container {
	t.Helper()
	i := slices.IndexFunc(pod.Spec.Containers, func(c corev1.Container) bool { return c.Name == "corskit-proxy" })
	if i < 0 {
		t.Fatalf("%s: no corskit-proxy container", name)
	}
	c := pod.Spec.Containers[i]
	psc, sc := pod.Spec.SecurityContext, c.SecurityContext
	switch {
	case psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0:
		t.Errorf("%s: the pod must run as a non-root user: %+v", name, psc)
	case sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
		t.Errorf("%s: the container's root file system must be read-only", name)
	case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL"):
		t.Errorf("%s: no privilege escalation, every capability dropped: %+v", name, sc)
	case pod.Spec.AutomountServiceAccountToken == nil || *pod.Spec.AutomountServiceAccountToken:
		t.Errorf("%s: the gateway needs no Kubernetes API token", name)
	}
	for probe, path := range map[*corev1.Probe]string{c.ReadinessProbe: "/readyz", c.LivenessProbe: "/healthz"} {
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != path || probe.HTTPGet.Port.String() != "admin" {
			t.Errorf("%s: want a probe GET %s on the admin port, got %+v", name, path, probe)
		}
	}
	if !slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.Name == "admin" && p.ContainerPort == 9090 }) {
		t.Errorf("%s: no admin port 9090: %+v", name, c.Ports)
	}
	if c.Resources.Limits.Memory().IsZero() {
		t.Errorf("%s: no memory limit", name)
	}
	return c
}

// TestKubernetesManifests reads deploy/kubernetes into the Kubernetes API's
// own types (k8s.io/api, unknown fields refused), checks that the objects
// refer to each other (selectors, ports, the HPA's target, the config
// path), and runs the Deployment's container command for real: its probes
// answer 200, it applies the ConfigMap's policy, and it reloads the policy
// when the file changes the way the kubelet changes a mounted ConfigMap
// (a new directory, then an atomic swap of the ..data link).
func TestKubernetesManifests(t *testing.T) {
	t.Parallel()
	var (
		cm  corev1.ConfigMap
		dep appsv1.Deployment
		svc corev1.Service
		hpa autoscalingv2.HorizontalPodAutoscaler
		pdb policyv1.PodDisruptionBudget
		car appsv1.Deployment
	)
	readManifest(t, "configmap.yaml", &cm)
	readManifest(t, "deployment.yaml", &dep)
	readManifest(t, "service.yaml", &svc)
	readManifest(t, "hpa.yaml", &hpa)
	readManifest(t, "pdb.yaml", &pdb)
	readManifest(t, "sidecar.yaml", &car)

	podLabels := labels.Set(dep.Spec.Template.Labels)
	if !labels.SelectorFromSet(dep.Spec.Selector.MatchLabels).Matches(podLabels) {
		t.Error("the Deployment's selector does not select its own pods")
	}
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
		t.Error("the Service does not select the gateway's pods")
	}
	if !labels.SelectorFromSet(pdb.Spec.Selector.MatchLabels).Matches(podLabels) {
		t.Error("the PodDisruptionBudget does not select the gateway's pods")
	}
	if r := hpa.Spec.ScaleTargetRef; r.Kind != "Deployment" || r.Name != dep.Name || *hpa.Spec.MinReplicas > hpa.Spec.MaxReplicas || *hpa.Spec.MinReplicas < 2 {
		t.Errorf("the HPA's target %+v, %d to %d replicas; want the Deployment %s and at least 2 (one may be disrupted)", r, *hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas, dep.Name)
	}
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() < 1 || pdb.Spec.MinAvailable.IntValue() >= int(*hpa.Spec.MinReplicas) {
		t.Errorf("the PDB keeps %v available; want at least 1 and fewer than the HPA's minimum, or no node can drain", pdb.Spec.MinAvailable)
	}

	c := checkGatewayPod(t, "deployment.yaml", dep.Spec.Template)
	checkGatewayPod(t, "sidecar.yaml", car.Spec.Template)
	if p := svc.Spec.Ports[0].TargetPort.String(); !slices.ContainsFunc(c.Ports, func(cp corev1.ContainerPort) bool { return cp.Name == p }) {
		t.Errorf("the Service targets port %q, which the container does not name", p)
	}

	// The config file: the ConfigMap's key, in the mounted directory.
	config := c.Args[slices.Index(c.Args, "--config")+1]
	dir, key := filepath.Dir(config), filepath.Base(config)
	mount := slices.IndexFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == dir })
	if mount < 0 || c.VolumeMounts[mount].SubPath != "" {
		t.Fatalf("--config %s: its directory must be a mount of the ConfigMap without subPath (a subPath never sees updates): %+v", config, c.VolumeMounts)
	}
	vol := slices.IndexFunc(dep.Spec.Template.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == c.VolumeMounts[mount].Name })
	if vol < 0 || dep.Spec.Template.Spec.Volumes[vol].ConfigMap == nil || dep.Spec.Template.Spec.Volumes[vol].ConfigMap.Name != cm.Name {
		t.Fatalf("the mount %s is not the ConfigMap %s", dir, cm.Name)
	}
	policy, ok := cm.Data[key]
	if !ok {
		t.Fatalf("the ConfigMap has no key %s, which --config names", key)
	}

	// Run the container's command, on loopback, with the upstream a test
	// server, and the mount laid out as the kubelet lays it out.
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }))
	defer up.Close()
	root := t.TempDir()
	publish := func(n int, text string) {
		ts := filepath.Join(root, fmt.Sprintf("..2026_%d", n))
		os.Mkdir(ts, 0o755)
		os.WriteFile(filepath.Join(ts, key), []byte(text), 0o644)
		tmp := filepath.Join(root, "..data_tmp")
		os.Remove(tmp)
		if err := os.Symlink(filepath.Base(ts), tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(root, "..data")); err != nil {
			t.Fatal(err)
		}
		os.Symlink(filepath.Join("..data", key), filepath.Join(root, key))
	}
	upstreamLine := regexp.MustCompile(`(?m)^upstream: .*$`)
	publish(1, upstreamLine.ReplaceAllString(policy, "upstream: "+up.URL))
	listen, admin := freeAddr(t), freeAddr(t)
	args := slices.Clone(c.Args)
	for i, a := range args {
		switch {
		case a == config:
			args[i] = filepath.Join(root, key)
		case i > 0 && args[i-1] == "--listen":
			args[i] = listen
		case i > 0 && args[i-1] == "--admin-listen":
			args[i] = admin
		}
	}
	gw := startCorskit(t, args...)
	eventually := gw.eventually
	get := func(url, origin string) (int, string) {
		req, _ := http.NewRequest("GET", url, nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, ""
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin")
	}
	for _, probe := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
		eventually("probe "+probe.HTTPGet.Path, func() bool { s, _ := get("http://"+admin+probe.HTTPGet.Path, ""); return s == 200 })
	}
	eventually("the ConfigMap's policy", func() bool {
		_, acao := get("http://"+listen+"/data", "https://app.example.com")
		return acao == "https://app.example.com"
	})
	publish(2, strings.Replace(upstreamLine.ReplaceAllString(policy, "upstream: "+up.URL), "https://app.example.com", "https://new.example.com", 1))
	eventually("the reload after the kubelet's swap", func() bool {
		_, acao := get("http://"+listen+"/data", "https://new.example.com")
		return acao == "https://new.example.com"
	})
}

// TestDockerfile: the image runs corskit as the non-root user the manifests
// name, and its build command builds the binary here.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	if raceEnabled {
		t.Skip("builds the release binary, which -race does not change: a whole compile of the graph for nothing to watch")
	}
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	var dep appsv1.Deployment
	readManifest(t, "deployment.yaml", &dep)
	uid := *dep.Spec.Template.Spec.SecurityContext.RunAsUser
	if !strings.Contains(df, fmt.Sprintf("\nUSER %d:%d\n", uid, uid)) {
		t.Errorf("the Dockerfile's USER is not the manifests' runAsUser %d", uid)
	}
	build := regexp.MustCompile(`(?m)^RUN (CGO_ENABLED=0 go build .*) -o \S+ (\./cmd/corskit)$`).FindStringSubmatch(df)
	if build == nil {
		t.Fatal("the Dockerfile has no RUN CGO_ENABLED=0 go build ... ./cmd/corskit line")
	}
	words, err := check.SplitCommand(build[1])
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "corskit")
	cmd := exec.Command("go", append(words[2:], "-o", out, build[2])...)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), words[0])
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the Dockerfile's build fails here: %v\n%s", err, b)
	}
	if b, err := exec.Command(out, "version").CombinedOutput(); err != nil {
		t.Errorf("the static binary does not run: %v\n%s", err, b)
	}
}
