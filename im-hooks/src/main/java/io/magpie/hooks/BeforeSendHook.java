package io.magpie.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.magpie.hooks.internal.HookHttp;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the operator's before-send hooks about the new messages of one batch (docs/operations.md, "Webhooks"):
 * one signed POST per app and per {@link BeforeSendSettings#maxMessages()} messages, all sent at once and awaited
 * together, so a batch costs one round trip whatever its size. Each message gets a {@link Verdict}; a hook that
 * does not answer usably in time gives its messages {@link Allow} (fail open, logged) or {@link Unavailable} (fail
 * closed). Blocks the calling thread for at most the longest timeout of the apps concerned. Thread-safe.
 */
public final class BeforeSendHook {

    /** The payload's {@code event}. */
    public static final String EVENT = "message.before_send";
    /** Longest {@code code} of a rejection the sender sees; longer ones are cut. */
    public static final int MAX_CODE_CHARS = 64;
    /** Longest {@code reason} of a rejection the sender sees; longer ones are cut. */
    public static final int MAX_REASON_CHARS = 256;

    private static final Logger log = LoggerFactory.getLogger(BeforeSendHook.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFormat.Printer CONTENT_PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser CONTENT_PARSER = JsonFormat.parser();

    /**
     * A new message of the batch, as the hook sees it.
     *
     * @param appId the app id of the sender's token, "" for none (chooses the hook)
     */
    public record Candidate(String appId, String clientMsgId, long senderUid, String deviceId, String conversationId,
                            ConversationType conversationType, long targetId, MessageContent content) {
    }

    /** What the hooks decided for one candidate. */
    public sealed interface Verdict permits Allow, Reject, Rewrite, Unavailable {
    }

    /** Store the message as sent. */
    public record Allow() implements Verdict {
    }

    /** Refuse the message; the sender sees {@code code} and {@code reason} (either may be ""). */
    public record Reject(String code, String reason) implements Verdict {
    }

    /** Store {@code content} instead of what was sent. */
    public record Rewrite(MessageContent content) implements Verdict {
    }

    /** The hook failed and fails closed: refuse the message as retryable. */
    public record Unavailable(String why) implements Verdict {
    }

    private static final Allow ALLOW = new Allow();

    private final WebhookConfig config;
    private final HookHttp http;

    public BeforeSendHook(WebhookConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.http = new HookHttp(clock);
    }

    /** Whether any app has a before-send hook (when none has, callers may skip building candidates). */
    public boolean enabled() {
        return config.anyBeforeSend();
    }

    /** What messages of {@code appId} get when its hook does not answer usably. */
    public FailureMode onFailure(String appId) {
        return config.beforeSendFor(appId).onFailure();
    }

    /** One verdict per candidate, in the same order. */
    public List<Verdict> review(List<Candidate> candidates) {
        List<Verdict> verdicts = new ArrayList<>(candidates.size());
        Map<String, List<Integer>> byApp = new LinkedHashMap<>();
        for (int i = 0; i < candidates.size(); i++) {
            verdicts.add(ALLOW);
            String app = candidates.get(i).appId() == null ? "" : candidates.get(i).appId();
            if (config.beforeSendFor(app).enabled()) {
                byApp.computeIfAbsent(app, a -> new ArrayList<>()).add(i);
            }
        }
        List<Call> calls = new ArrayList<>();
        byApp.forEach((app, at) -> {
            BeforeSendSettings hook = config.beforeSendFor(app);
            for (int from = 0; from < at.size(); from += hook.maxMessages()) {
                List<Integer> chunk = at.subList(from, Math.min(at.size(), from + hook.maxMessages()));
                calls.add(start(app, hook, chunk, candidates));
            }
        });
        for (Call call : calls) {
            call.collect(verdicts);
        }
        return verdicts;
    }

    private Call start(String app, BeforeSendSettings hook, List<Integer> at, List<Candidate> candidates) {
        ObjectNode body = JSON.createObjectNode();
        body.put("event", EVENT);
        body.put("app_id", app);
        ArrayNode messages = body.putArray("messages");
        for (int j = 0; j < at.size(); j++) {
            Candidate c = candidates.get(at.get(j));
            ObjectNode m = messages.addObject();
            m.put("index", j);
            m.put("client_msg_id", c.clientMsgId());
            m.put("sender_uid", c.senderUid());
            m.put("device_id", c.deviceId());
            m.put("conversation_id", c.conversationId());
            m.put("conversation_type", c.conversationType().name());
            m.put("target_id", c.targetId());
            m.set("content", contentJson(c.content()));
        }
        byte[] bytes = bytes(body);
        CompletableFuture<HttpResponse<byte[]>> response;
        try {
            response = http.post(hook.url(), EVENT, bytes, new HookSigner(hook.secret()), hook.timeout());
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return new Call(app, hook, List.copyOf(at), response);
    }

    /** One request in flight and the candidates it carries. */
    private record Call(String app, BeforeSendSettings hook, List<Integer> at,
                        CompletableFuture<HttpResponse<byte[]>> response) {

        void collect(List<Verdict> verdicts) {
            List<Verdict> answered;
            try {
                // the request's own timeout ends it; this bound only guards against a client that never completes
                HttpResponse<byte[]> r = response.get(hook.timeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
                answered = parse(r, at.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed(verdicts, "interrupted while waiting for it");
                return;
            } catch (ExecutionException | CompletionException e) {
                failed(verdicts, "the request failed: " + e.getCause());
                return;
            } catch (TimeoutException e) {
                failed(verdicts, "no answer within " + hook.timeout());
                return;
            } catch (UnusableAnswer e) {
                failed(verdicts, e.getMessage());
                return;
            }
            for (int j = 0; j < at.size(); j++) {
                verdicts.set(at.get(j), answered.get(j));
            }
        }

        private void failed(List<Verdict> verdicts, String why) {
            String what = "[app '" + app + "'] before-send hook " + hook.url() + " for " + at.size() + " messages: "
                    + why;
            if (hook.onFailure() == FailureMode.OPEN) {
                log.warn("{}; failing open (on-failure: open): the messages are stored unchecked", what);
                return;
            }
            log.warn("{}; failing closed (on-failure: closed): the senders get SERVER_BUSY and may resend", what);
            Unavailable unavailable = new Unavailable(why);
            for (int i : at) {
                verdicts.set(i, unavailable);
            }
        }
    }

    /** The hook answered, but not with something this server can act on. */
    private static final class UnusableAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        UnusableAnswer(String message) {
            super(message);
        }
    }

    private static List<Verdict> parse(HttpResponse<byte[]> r, int count) throws UnusableAnswer {
        if (r.statusCode() / 100 != 2) {
            throw new UnusableAnswer("it answered HTTP " + r.statusCode() + " (2xx expected)");
        }
        List<Verdict> verdicts = new ArrayList<>(count);
        for (int j = 0; j < count; j++) {
            verdicts.add(ALLOW);
        }
        if (r.body().length == 0) {
            return verdicts;
        }
        JsonNode root;
        try {
            root = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UnusableAnswer("its answer is not JSON (" + e.getMessage() + ")");
        }
        JsonNode results = root == null ? null : root.path("results");
        if (results == null || results.isMissingNode() || results.isNull()) {
            return verdicts;
        }
        if (!results.isArray()) {
            throw new UnusableAnswer("its answer's \"results\" is not an array");
        }
        Map<Integer, Boolean> seen = new HashMap<>();
        for (JsonNode result : results) {
            JsonNode index = result.path("index");
            if (!index.canConvertToInt() || !index.isIntegralNumber() || index.asInt() < 0 || index.asInt() >= count) {
                throw new UnusableAnswer("a result's \"index\" must be an index of the request's messages (0-"
                        + (count - 1) + "), got " + index);
            }
            int j = index.asInt();
            if (seen.put(j, true) != null) {
                throw new UnusableAnswer("two results for the message at index " + j);
            }
            String action = result.path("action").asText("");
            verdicts.set(j, switch (action) {
                case "allow" -> ALLOW;
                case "reject" -> new Reject(cut(result.path("code").asText(""), MAX_CODE_CHARS),
                        cut(result.path("reason").asText(""), MAX_REASON_CHARS));
                case "rewrite" -> new Rewrite(content(result.path("content"), j));
                default -> throw new UnusableAnswer("the result at index " + j + " has action '" + action
                        + "'; allow, reject or rewrite expected");
            });
        }
        return verdicts;
    }

    private static MessageContent content(JsonNode node, int j) throws UnusableAnswer {
        if (!node.isObject()) {
            throw new UnusableAnswer("the rewrite at index " + j + " has no \"content\" object");
        }
        MessageContent.Builder b = MessageContent.newBuilder();
        try {
            CONTENT_PARSER.merge(node.toString(), b);
        } catch (InvalidProtocolBufferException e) {
            throw new UnusableAnswer("the rewrite at index " + j + " has a \"content\" that is not a MessageContent ("
                    + e.getMessage() + ")");
        }
        return b.build();
    }

    /** {@code content} in the proto3 JSON mapping (enum names, int64 as strings, bytes as base64). */
    public static JsonNode contentJson(MessageContent content) {
        try {
            return JSON.readTree(CONTENT_PRINTER.print(content));
        } catch (IOException e) {
            throw new IllegalStateException("printing a MessageContent as JSON failed: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(JsonNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("writing a hook payload failed: " + e.getMessage(), e);
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
