package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.magpie.gate.GateConfig;
import io.magpie.protocol.auth.SampleSecrets;
import io.magpie.server.admin.GateAdminConfig;
import io.magpie.server.config.Settings;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/k8s}, validated offline (our CI machines have no cluster, so nothing is applied here): every
 * document is read into the Kubernetes API model (fabric8 kubernetes-model), strictly: a field the API does
 * not define, a wrong type, a missing required field fails. Then the references between the documents, which
 * a schema alone cannot see: Service, PDB, HPA and NetworkPolicy targets, ConfigMap and Secret keys, probe
 * ports; and every workload's config and environment loaded the way {@code magpie <role>} would at start.
 *
 * <p>{@code MAGPIE_DEPLOY_ROOT} points the test at another copy of the repository (how a deliberately broken
 * copy is checked to fail).
 */
class KubernetesManifestsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    /** The API groups and kinds these manifests may use, and the model class that defines each. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/Namespace", Namespace.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);
    private static final Pattern DNS_1123 = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern PORT_NAME = Pattern.compile("(?=.{1,15}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final String POD_IP = "10.12.0.7";

    private static Path dir;
    private static JsonNode kustomization;
    private static final List<HasMetadata> all = new ArrayList<>();

    @BeforeAll
    static void load() throws IOException {
        String override = System.getenv("MAGPIE_DEPLOY_ROOT");
        dir = (override == null ? DeployRoles.REPO : Path.of(override).toAbsolutePath()).resolve("deploy/k8s");
        kustomization = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
        for (JsonNode resource : kustomization.path("resources")) {
            Path file = dir.resolve(resource.asText());
            assertTrue(Files.isRegularFile(file), "kustomization.yaml lists " + file + ", which does not exist");
            List<JsonNode> docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll();
            for (JsonNode doc : docs) {
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    all.add(strict(doc, file.getFileName().toString()));
                }
            }
        }
        assertFalse(all.isEmpty(), "no manifests in " + dir);
    }

    @Test
    void kustomizationListsEveryManifestAndNamesTheImageTheWorkloadsRun() throws IOException {
        Set<String> listed = new TreeSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        try (Stream<Path> files = Files.list(dir)) {
            Set<String> present = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml"))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(present, listed, "every manifest in deploy/k8s is applied by the kustomization");
        }
        assertEquals("magpie", kustomization.path("namespace").asText());
        assertTrue(all.stream().anyMatch(r -> r instanceof Namespace n && n.getMetadata().getName().equals("magpie")),
                "the namespace the kustomization sets is created");
        String image = kustomization.path("images").path(0).path("name").asText();
        deployments().forEach(d -> containers(d).forEach(c -> assertEquals(image, c.getImage().split(":")[0],
                name(d) + ": its image is the one kustomization.yaml rewrites")));
    }

    @Test
    void everyRoleHasAWorkloadAndItsConfigAndEnvironmentWouldStartIt(@TempDir Path tmp) throws IOException {
        Set<String> roles = new TreeSet<>();
        for (Deployment d : deployments()) {
            Container c = only(containers(d), name(d));
            MagpieNode.Role role = DeployRoles.role(c.getArgs().get(0), name(d));
            roles.add(role.name().toLowerCase());
            settings(d, c, role, tmp);
        }
        assertEquals(Set.of("gate", "logic", "lsb", "notifier", "router"), roles);
    }

    @Test
    void everyObjectNameIsValidAndUniquePerKind() {
        Set<String> seen = new TreeSet<>();
        all.forEach(r -> {
            String name = r.getMetadata() == null ? null : r.getMetadata().getName();
            assertNotNull(name, r.getKind() + " has no metadata.name");
            assertTrue(DNS_1123.matcher(name).matches(), r.getKind() + " " + name + " is not a DNS-1123 label");
            assertTrue(seen.add(r.getKind() + "/" + name), r.getKind() + "/" + name + " is defined twice");
        });
    }

    @Test
    void workloadsSelectTheirOwnPodsAndSetResourcesProbesAndUser() {
        for (Deployment d : deployments()) {
            String where = name(d);
            Map<String, String> selector = d.getSpec().getSelector().getMatchLabels();
            assertFalse(selector == null || selector.isEmpty(), where + ": no selector");
            assertTrue(matches(selector, podLabels(d)), where + ": the selector does not match the pod template's labels");
            assertEquals(Boolean.TRUE, d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot(),
                    where + ": runs as non-root, as the image does");
            for (Container c : containers(d)) {
                assertFalse(c.getName() == null || c.getImage() == null, where + ": a container needs a name and an image");
                c.getPorts().forEach(p -> assertTrue(p.getName() != null && PORT_NAME.matcher(p.getName()).matches(),
                        where + ": port name '" + p.getName() + "' is not a valid IANA service name"));
                for (String resource : List.of("cpu", "memory")) {
                    Quantity request = c.getResources().getRequests().get(resource);
                    Quantity limit = c.getResources().getLimits().get(resource);
                    assertNotNull(request, where + ": no " + resource + " request");
                    assertNotNull(limit, where + ": no " + resource + " limit");
                    assertTrue(request.getNumericalAmount().compareTo(limit.getNumericalAmount()) <= 0,
                            where + ": " + resource + " request " + request + " above its limit " + limit);
                }
                checkProbe(where + " liveness", c, c.getLivenessProbe(), "/health/live");
                checkProbe(where + " readiness", c, c.getReadinessProbe(), "/health/ready");
                checkProbe(where + " startup", c, c.getStartupProbe(), "/health/live");
            }
        }
    }

    private static void checkProbe(String where, Container c, Probe probe, String path) {
        assertNotNull(probe, where + " probe missing");
        assertNotNull(probe.getHttpGet(), where + ": an HTTP probe on the health listener");
        assertEquals(path, probe.getHttpGet().getPath(), where + " path");
        assertNotNull(containerPort(c, probe.getHttpGet().getPort()), where + ": port " + probe.getHttpGet().getPort()
                + " is not a port of the container");
        assertTrue(probe.getTimeoutSeconds() != null && probe.getTimeoutSeconds() >= 2,
                where + ": a short timeout, but not below 2 s (docs/operations.md §4)");
    }

    @Test
    void everyConfigMapAndSecretAReferenceNamesExistsWithTheKey() {
        for (Deployment d : deployments()) {
            for (Volume v : d.getSpec().getTemplate().getSpec().getVolumes()) {
                if (v.getConfigMap() != null) {
                    configMap(v.getConfigMap().getName(), name(d));
                }
                if (v.getSecret() != null) {
                    secret(v.getSecret().getSecretName(), name(d));
                }
            }
            for (Container c : containers(d)) {
                for (EnvVar e : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        var ref = e.getValueFrom().getSecretKeyRef();
                        assertTrue(secretKeys(secret(ref.getName(), name(d))).contains(ref.getKey()),
                                name(d) + ": " + e.getName() + " names key " + ref.getKey() + " that Secret " + ref.getName() + " lacks");
                    }
                    if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                        var ref = e.getValueFrom().getConfigMapKeyRef();
                        assertTrue(configMap(ref.getName(), name(d)).getData().containsKey(ref.getKey()),
                                name(d) + ": " + e.getName() + " names key " + ref.getKey() + " that ConfigMap " + ref.getName() + " lacks");
                    }
                }
                for (VolumeMount m : c.getVolumeMounts()) {
                    assertTrue(d.getSpec().getTemplate().getSpec().getVolumes().stream().anyMatch(v -> v.getName().equals(m.getName())),
                            name(d) + ": mounts volume " + m.getName() + ", which the pod does not define");
                }
            }
        }
    }

    @Test
    void theShippedSecretHoldsOnlyPlaceholdersThatEveryRoleRefuses() {
        for (HasMetadata r : all) {
            if (r instanceof Secret s) {
                assertTrue(s.getData() == null || s.getData().isEmpty(), "placeholders are readable stringData");
                s.getStringData().forEach((k, v) -> assertNotNull(SampleSecrets.whyRefused(v),
                        "Secret " + name(s) + " key " + k + " holds something that looks like a real secret; ship a placeholder"));
            }
        }
    }

    @Test
    void everyServiceSelectsPodsThatHaveItsTargetPortsAndOnlyClientPortsArePublic() {
        for (HasMetadata r : all) {
            if (!(r instanceof Service s)) {
                continue;
            }
            List<Deployment> targets = selected(s.getSpec().getSelector(), "Service " + name(s));
            boolean publicService = "LoadBalancer".equals(s.getSpec().getType()) || "NodePort".equals(s.getSpec().getType());
            for (ServicePort p : s.getSpec().getPorts()) {
                assertTrue(p.getPort() != null && p.getPort() > 0, "Service " + name(s) + ": a port needs a number");
                IntOrString target = p.getTargetPort() == null ? new IntOrString(p.getPort()) : p.getTargetPort();
                for (Deployment d : targets) {
                    ContainerPort cp = containers(d).stream().map(c -> containerPort(c, target)).filter(x -> x != null)
                            .findFirst().orElse(null);
                    assertNotNull(cp, "Service " + name(s) + ": target port " + target + " is no port of " + name(d));
                    assertFalse(publicService && Set.of("internal", "health").contains(cp.getName()),
                            "Service " + name(s) + " would expose the " + cp.getName() + " port outside the cluster");
                }
            }
        }
        Set<String> publicServices = all.stream().filter(r -> r instanceof Service s
                && "LoadBalancer".equals(s.getSpec().getType())).map(KubernetesManifestsTest::name).collect(Collectors.toSet());
        assertEquals(Set.of("magpie-lsb", "magpie-account-api"), publicServices, "the public entry points");
    }

    @Test
    void disruptionBudgetsAutoscalerAndNetworkPolicyTargetExistingWorkloads() {
        Set<String> budgeted = new TreeSet<>();
        for (HasMetadata r : all) {
            if (r instanceof PodDisruptionBudget pdb) {
                assertTrue(pdb.getSpec().getMinAvailable() == null ^ pdb.getSpec().getMaxUnavailable() == null,
                        "PDB " + name(pdb) + ": exactly one of minAvailable and maxUnavailable");
                selected(pdb.getSpec().getSelector(), "PDB " + name(pdb)).forEach(d -> budgeted.add(name(d)));
            } else if (r instanceof HorizontalPodAutoscaler hpa) {
                var ref = hpa.getSpec().getScaleTargetRef();
                Deployment target = deployments().stream().filter(d -> ref.getKind().equals("Deployment")
                        && ref.getName().equals(name(d)) && "apps/v1".equals(ref.getApiVersion())).findFirst()
                        .orElseGet(() -> fail("HPA " + name(hpa) + " scales " + ref.getKind() + "/" + ref.getName() + ", which is not here"));
                assertNull(target.getSpec().getReplicas(), "Deployment " + name(target)
                        + " sets replicas, which every apply would reset under the HPA");
                assertTrue(hpa.getSpec().getMinReplicas() >= 2 && hpa.getSpec().getMaxReplicas() > hpa.getSpec().getMinReplicas(),
                        "HPA " + name(hpa) + ": at least 2 gates, room to grow");
                hpa.getSpec().getMetrics().forEach(m -> {
                    if ("Resource".equals(m.getType())) {
                        containers(target).forEach(c -> assertNotNull(c.getResources().getRequests().get(m.getResource().getName()),
                                "HPA " + name(hpa) + " scales on " + m.getResource().getName() + " utilisation; " + name(target) + " requests none"));
                    }
                });
                assertEquals("gate", containers(target).get(0).getArgs().get(0), "the HPA scales the gates");
            } else if (r instanceof NetworkPolicy np) {
                List<Deployment> pods = selected(np.getSpec().getPodSelector(), "NetworkPolicy " + name(np));
                np.getSpec().getIngress().forEach(rule -> {
                    for (NetworkPolicyPort port : rule.getPorts()) {
                        pods.forEach(d -> assertTrue(containers(d).stream().anyMatch(c -> containerPort(c, port.getPort()) != null),
                                "NetworkPolicy " + name(np) + ": port " + port.getPort() + " is no port of " + name(d)));
                    }
                    for (NetworkPolicyPeer from : rule.getFrom()) {
                        if (from.getPodSelector() != null) {
                            selected(from.getPodSelector(), "NetworkPolicy " + name(np) + " from");
                        }
                    }
                });
            }
        }
        assertEquals(Set.of("magpie-gate", "magpie-logic", "magpie-lsb", "magpie-router"), budgeted,
                "the workloads with more than one pod have a disruption budget");
    }

    @Test
    void aGatePodDrainsBeforeKubernetesKillsIt(@TempDir Path tmp) throws IOException {
        Deployment gate = deployments().stream().filter(d -> "gate".equals(containers(d).get(0).getArgs().get(0)))
                .findFirst().orElseGet(() -> fail("no gate Deployment"));
        Container c = containers(gate).get(0);
        Settings settings = settings(gate, c, MagpieNode.Role.GATE, tmp);
        GateAdminConfig admin = settings.gateAdmin();
        long needed = admin.drain().lsbGrace().plus(admin.drain().deadline()).plusSeconds(40).toSeconds();
        long grace = gate.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        assertTrue(grace > needed, "terminationGracePeriodSeconds " + grace + " must exceed the drain (lsb-grace + "
                + "gate.drain.deadline) + 40 s to stop = " + needed + " (docs/operations.md §5)");
        List<String> preStop = c.getLifecycle().getPreStop().getExec().getCommand();
        String script = String.join(" ", preStop);
        assertTrue(script.contains("http://127.0.0.1:" + settings.health().port() + "/admin/v1/drain"),
                "the preStop calls the drain endpoint on the health listener: " + script);
        assertTrue(script.contains("$MAGPIE_GATE_ADMIN_TOKEN") && admin.adminToken() != null,
                "the preStop authenticates with gate.admin-token, which the pod sets");
        GateConfig config = settings.gate();
        assertEquals(POD_IP, config.advertisedHost(), "the gate advertises its pod IP (status.podIP)");
        assertEquals("0.0.0.0", config.internalBind(), "routers in other pods reach the internal port");
        for (int port : List.of(config.tcpPort(), config.wsPort(), config.internalPort(), settings.health().port())) {
            assertTrue(c.getPorts().stream().anyMatch(p -> p.getContainerPort() == port),
                    "the gate listens on " + port + ", which the container does not declare");
        }
        Deployment logic = deployments().stream().filter(d -> "logic".equals(containers(d).get(0).getArgs().get(0)))
                .findFirst().orElseThrow();
        assertTrue(logic.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() >= 70,
                "logic may take ~70 s to stop (docs/operations.md §5)");
    }

    // ---- strict reading ----

    private static HasMetadata strict(JsonNode doc, String file) {
        String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        Class<? extends HasMetadata> type = KINDS.get(key);
        assertNotNull(type, file + ": " + key + " is not a kind these manifests may use " + KINDS.keySet());
        HasMetadata resource;
        try {
            resource = YAML.treeToValue(doc, type);
        } catch (IOException e) {
            return fail(file + ": " + key + " does not fit the Kubernetes API: " + e.getMessage(), e);
        }
        String where = file + ": " + key + " " + doc.path("metadata").path("name").asText();
        unknownFields(resource, where);
        return resource;
    }

    /**
     * The model keeps fields it does not know in {@code additionalProperties} instead of failing: a misspelt or
     * misplaced field (e.g. {@code livenesProbe}, {@code ports} under the pod) shows up there, anywhere in the tree.
     */
    private static void unknownFields(Object node, String path) {
        if (node == null) {
            return;
        }
        if (node instanceof Collection<?> list) {
            int i = 0;
            for (Object e : list) {
                unknownFields(e, path + "[" + i++ + "]");
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : node.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(node);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue; // a computed getter (e.g. a Quantity's amount), not a field
            }
            if (m.getName().equals("getAdditionalProperties")) {
                assertTrue(value == null || ((Map<?, ?>) value).isEmpty(),
                        path + ": fields the Kubernetes API does not define here: " + value);
            } else {
                unknownFields(value, path + "." + Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4));
            }
        }
    }

    // ---- the documents ----

    private static List<Deployment> deployments() {
        return all.stream().filter(r -> r instanceof Deployment).map(r -> (Deployment) r).toList();
    }

    private static List<Container> containers(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers();
    }

    private static Map<String, String> podLabels(Deployment d) {
        return Optional.ofNullable(d.getSpec().getTemplate().getMetadata().getLabels()).orElse(Map.of());
    }

    private static String name(HasMetadata r) {
        return r.getMetadata().getName();
    }

    private static <T> T only(List<T> list, String where) {
        assertEquals(1, list.size(), where + ": one container per pod");
        return list.get(0);
    }

    private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty()
                && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private static List<Deployment> selected(Map<String, String> selector, String where) {
        List<Deployment> found = deployments().stream().filter(d -> matches(selector, podLabels(d))).toList();
        assertFalse(found.isEmpty(), where + ": selector " + selector + " matches no workload's pods");
        return found;
    }

    private static List<Deployment> selected(LabelSelector selector, String where) {
        assertNotNull(selector, where + ": no selector");
        assertTrue(selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty(),
                where + ": matchExpressions are not checked here; use matchLabels");
        return selected(selector.getMatchLabels(), where);
    }

    private static ContainerPort containerPort(Container c, IntOrString port) {
        if (port == null) {
            return null;
        }
        return c.getPorts().stream().filter(p -> port.getIntVal() != null ? port.getIntVal().equals(p.getContainerPort())
                : port.getStrVal().equals(p.getName())).findFirst().orElse(null);
    }

    private static ConfigMap configMap(String name, String where) {
        return all.stream().filter(r -> r instanceof ConfigMap && name(r).equals(name)).map(r -> (ConfigMap) r)
                .findFirst().orElseGet(() -> fail(where + ": ConfigMap " + name + " does not exist"));
    }

    private static Secret secret(String name, String where) {
        return all.stream().filter(r -> r instanceof Secret && name(r).equals(name)).map(r -> (Secret) r)
                .findFirst().orElseGet(() -> fail(where + ": Secret " + name + " does not exist"));
    }

    private static Set<String> secretKeys(Secret s) {
        Set<String> keys = new TreeSet<>();
        Optional.ofNullable(s.getStringData()).ifPresent(m -> keys.addAll(m.keySet()));
        Optional.ofNullable(s.getData()).ifPresent(m -> keys.addAll(m.keySet()));
        return keys;
    }

    /**
     * The settings the container's role starts with: its {@code --config} file is the ConfigMap key mounted
     * there; its environment the literal values, status.podIP and, for Secret keys, distinct random-looking
     * test values (the shipped Secret holds placeholders every role refuses, on purpose).
     */
    private static Settings settings(Deployment d, Container c, MagpieNode.Role role, Path tmp) throws IOException {
        String where = name(d);
        List<String> args = c.getArgs();
        int at = args.indexOf("--config");
        assertTrue(args.size() >= 3 && at > 0 && at + 1 < args.size(), where + ": args are ROLE --config FILE: " + args);
        Path inContainer = Path.of(args.get(at + 1));
        VolumeMount mount = c.getVolumeMounts().stream().filter(m -> inContainer.startsWith(m.getMountPath()))
                .findFirst().orElseGet(() -> fail(where + ": nothing is mounted at " + inContainer));
        Volume volume = d.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(mount.getName())).findFirst()
                .orElseGet(() -> fail(where + ": no volume " + mount.getName()));
        assertNotNull(volume.getConfigMap(), where + ": the config comes from a ConfigMap");
        String key = Path.of(mount.getMountPath()).relativize(inContainer).toString();
        String yaml = configMap(volume.getConfigMap().getName(), where).getData().get(key);
        assertNotNull(yaml, where + ": ConfigMap " + volume.getConfigMap().getName() + " has no key " + key);
        Path file = tmp.resolve(where + "-" + key);
        Files.writeString(file, yaml);
        Map<String, String> env = new HashMap<>();
        for (EnvVar e : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            } else if (e.getValueFrom().getFieldRef() != null) {
                assertEquals("status.podIP", e.getValueFrom().getFieldRef().getFieldPath(), where + ": " + e.getName());
                env.put(e.getName(), POD_IP);
            } else if (e.getValueFrom().getSecretKeyRef() != null) {
                env.put(e.getName(), "t3st-" + e.getValueFrom().getSecretKeyRef().getKey() + "-Zq81Lx0Vb7Nc2Mw5Kd9");
            } else {
                fail(where + ": " + e.getName() + " comes from a source this test does not read");
            }
        }
        return DeployRoles.settingsOf(role, file, env, where);
    }

    private static void assertNull(Object o, String message) {
        assertTrue(o == null, message);
    }
}
