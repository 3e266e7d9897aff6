#!/usr/bin/env python3
"""Writes the Grafana dashboards in grafana/dashboards/ from the compact specs below.

Run `python3 grafana/generate.py` after changing a spec, and commit the JSON it writes. Every query names metrics
exactly as Tonegate exports them; the test DashboardCatalogTest scrapes a gateway after a simulated call and fails if
any panel or alert references a metric that does not exist.
"""
import json
import pathlib

DS = {"type": "prometheus", "uid": "tonegate-prometheus"}
OUT = pathlib.Path(__file__).resolve().parent / "dashboards"


def ts(title, exprs, unit="short", w=12, h=8, stack=False):
    """A time-series panel; exprs is a list of (PromQL, legend)."""
    return {"type": "timeseries", "title": title, "w": w, "h": h, "unit": unit, "exprs": exprs, "stack": stack}


def stat(title, expr, unit="short", w=6, h=4, thresholds=None):
    return {"type": "stat", "title": title, "w": w, "h": h, "unit": unit, "exprs": [(expr, title)],
            "thresholds": thresholds}


def quantiles(metric, by="", scale=1.0):
    """p50/p95/p99 of a Prometheus histogram (seconds), optionally grouped."""
    group = f", {by}" if by else ""
    legend_by = f" {{{{{by}}}}}" if by else ""
    mul = "" if scale == 1.0 else f" * {scale:g}"
    return [(f"histogram_quantile({q}, sum by (le{group}) (rate({metric}_bucket[1m]))){mul}", f"p{int(q * 100)}{legend_by}")
            for q in (0.5, 0.95, 0.99)]


def panel_json(spec, pid, x, y):
    targets = [{"refId": chr(65 + i), "datasource": DS, "expr": e, "legendFormat": legend}
               for i, (e, legend) in enumerate(spec["exprs"])]
    panel = {
        "id": pid, "type": spec["type"], "title": spec["title"], "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": spec["w"], "h": spec["h"]},
        "targets": targets,
        "fieldConfig": {"defaults": {"unit": spec["unit"]}, "overrides": []},
        "options": {},
    }
    if spec["type"] == "timeseries":
        panel["fieldConfig"]["defaults"]["custom"] = {
            "drawStyle": "line", "lineWidth": 1, "fillOpacity": 10,
            "stacking": {"mode": "normal" if spec["stack"] else "none", "group": "A"}}
        panel["options"] = {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}}
    else:
        steps = [{"color": "green", "value": None}]
        for value, color in (spec.get("thresholds") or []):
            steps.append({"color": color, "value": value})
        panel["fieldConfig"]["defaults"]["thresholds"] = {"mode": "absolute", "steps": steps}
        panel["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                            "colorMode": "value", "graphMode": "area"}
    return panel


def dashboard(uid, title, description, rows):
    panels, pid, y = [], 1, 0
    for row in rows:
        x, height = 0, 0
        for spec in row:
            panels.append(panel_json(spec, pid, x, y))
            pid += 1
            x += spec["w"]
            height = max(height, spec["h"])
        y += height
    return {
        "uid": uid, "title": title, "description": description, "tags": ["tonegate"],
        "timezone": "browser", "schemaVersion": 39, "version": 1, "editable": False,
        "refresh": "10s", "time": {"from": "now-30m", "to": "now"},
        "templating": {"list": []}, "annotations": {"list": []}, "panels": panels,
    }


def specs():
    """(uid, title, description, rows of panels). Metric names are exactly what Tonegate exports."""
    r = "[1m]"
    return [
        ("tonegate-overview", "Tonegate: overview", "Calls, caller authentication, latency against the budget, errors", [
            [stat("Media streams active", "sum(tonegate_media_streams_active)"),
             stat("Auth success rate (5m)",
                  'sum(rate(tonegate_caller_attempts_total{outcome="accepted"}[5m])) / '
                  'clamp_min(sum(rate(tonegate_caller_attempts_total[5m])), 1e-9)', unit="percentunit",
                  thresholds=None),
             stat("Decision p99 (ms)",
                  "histogram_quantile(0.99, sum by (le) (rate(tonegate_caller_decision_latency_seconds_bucket[5m]))) * 1000",
                  unit="ms", thresholds=[(20, "orange"), (100, "red")]),
             stat("Ready failures (5m)", "sum(increase(tonegate_ready_failures_total[5m]))",
                  thresholds=[(1, "red")])],
            [ts("Calls: incoming and answered", [
                (f"sum by (type) (rate(tonegate_calls_eventgrid_events_total{r}))", "{{type}}"),
                (f'sum by (operation, status) (rate(tonegate_calls_automation_requests_total{r}))', "{{operation}} {{status}}")],
                unit="reqps"),
             ts("Caller authentication attempts", [
                (f"sum by (outcome) (rate(tonegate_caller_attempts_total{r}))", "{{outcome}}")], unit="ops", stack=True)],
            [ts("Latency against the budget (ms)",
                quantiles("tonegate_caller_decision_latency_seconds", scale=1000)
                + [(f"histogram_quantile(0.99, sum by (le) (rate(tonegate_media_frame_processing_seconds_bucket{r}))) * 1000",
                    "frame p99"),
                   (f"histogram_quantile(0.99, sum by (le) (rate(tonegate_presence_delivery_latency_seconds_bucket{r}))) * 1000",
                    "presence p99")], unit="ms"),
             ts("Errors", [
                (f"sum by (kind) (rate(tonegate_media_parse_errors_total{r}))", "parse {{kind}}"),
                (f"sum by (kind) (rate(tonegate_redis_command_errors_total{r}))", "redis {{kind}}"),
                (f'sum(rate(vertx_http_server_requests_total{{code=~"5.."}}{r}))', "http 5xx"),
                (f"sum by (reason) (rate(tonegate_media_upgrades_refused_total{r}))", "upgrade refused {{reason}}")],
                unit="ops")],
            [ts("Call Automation callbacks", [(f"sum by (type, outcome) (rate(tonegate_calls_callbacks_total{r}))",
                                               "{{type}} {{outcome}}")], unit="ops"),
             ts("Call Automation circuit (0 closed, 1 half-open, 2 open)",
                [("max(tonegate_calls_automation_circuit_state)", "state")]),
             ],
        ]),
        ("tonegate-media", "Tonegate: media streams", "ACS media WebSockets: streams, frames, processing time, close reasons", [
            [ts("Streams", [("sum(tonegate_media_streams_active)", "active"),
                            (f"sum(rate(tonegate_media_streams_opened_total{r}))", "opened/s")]),
             ts("Streams closed by reason", [(f"sum by (reason) (rate(tonegate_media_streams_closed_total{r}))", "{{reason}}")],
                unit="ops", stack=True)],
            [ts("Frames and bytes received", [(f"sum(rate(tonegate_media_frames_received_total{r}))", "frames/s"),
                                              (f"sum(rate(tonegate_media_received_bytes_total{r}))", "bytes/s")]),
             ts("Frame processing time (ms)", quantiles("tonegate_media_frame_processing_seconds", scale=1000), unit="ms")],
            [ts("Parse errors by kind", [(f"sum by (kind) (rate(tonegate_media_parse_errors_total{r}))", "{{kind}}")], unit="ops"),
             ts("DTMF digits by source", [(f"sum by (source) (rate(tonegate_media_digits_total{r}))", "{{source}}"),
                                          (f"sum by (source) (rate(tonegate_media_digits_duplicates_total{r}))", "duplicate {{source}}")],
                unit="ops")],
            [ts("Outbound audio", [(f"sum(rate(tonegate_media_outbound_frames_total{r}))", "frames/s"),
                                   (f"sum(rate(tonegate_media_outbound_dropped_total{r}))", "dropped/s")]),
             ts("Upgrades refused by reason", [(f"sum by (reason) (rate(tonegate_media_upgrades_refused_total{r}))", "{{reason}}")],
                unit="ops")],
        ]),
        ("tonegate-auth", "Tonegate: caller authentication and rate limits", "DTMF codes validated against Redis session keys", [
            [ts("Attempts by flow and outcome", [(f"sum by (flow, outcome) (rate(tonegate_caller_attempts_total{r}))",
                                                  "{{flow}} {{outcome}}")], unit="ops"),
             ts("Call outcomes by state", [(f"sum by (state) (rate(tonegate_caller_outcomes_total{r}))", "{{state}}")],
                unit="ops", stack=True)],
            [ts("Time from last digit to decision (ms)", quantiles("tonegate_caller_decision_latency_seconds", scale=1000),
                unit="ms"),
             ts("Rate-limit rejections by scope", [(f"sum by (scope) (rate(tonegate_ratelimit_rejections_total{r}))", "{{scope}}"),
                                                   (f"sum by (scope) (rate(tonegate_ratelimit_errors_total{r}))", "errors {{scope}}")],
                unit="ops")],
            [ts("Session store operations", [(f"sum by (op, result) (rate(tonegate_session_operations_seconds_count{r}))",
                                              "{{op}} {{result}}")], unit="ops"),
             ts("Redis command latency p99 (ms)",
                [(f"histogram_quantile(0.99, sum by (le, command) (rate(tonegate_redis_command_latency_seconds_bucket{r}))) * 1000",
                  "{{command}}")], unit="ms")],
            [ts("Callers in authentication", [("sum(tonegate_caller_sessions_active)", "active")]),
             ts("Session API rejections", [(f"sum by (reason) (rate(tonegate_session_api_rejections_total{r}))", "{{reason}}")],
                unit="ops")],
        ]),
        ("tonegate-identity", "Tonegate: identities and tokens", "The ACS-compatible identity API", [
            [ts("Tokens issued and revoked", [(f"sum(rate(tonegate_identity_tokens_issued_total{r}))", "issued"),
                                              (f"sum by (via) (rate(tonegate_identity_tokens_revoked_total{r}))", "revoked ({{via}})"),
                                              (f"sum(rate(tonegate_identity_identities_total{r}))", "identities created")],
                unit="ops"),
             ts("HMAC failures by reason", [(f"sum by (reason) (rate(tonegate_identity_hmac_failures_total{r}))", "{{reason}}")],
                unit="ops")],
            [ts("Identity API latency p99 (ms)",
                [(f"histogram_quantile(0.99, sum by (le, op) (rate(tonegate_identity_request_latency_seconds_bucket{r}))) * 1000",
                  "{{op}}")], unit="ms"),
             ts("Token checks", [(f"sum(rate(tonegate_identity_token_accepted_total{r}))", "accepted"),
                                 (f"sum by (reason) (rate(tonegate_identity_token_rejections_total{r}))", "rejected {{reason}}")],
                unit="ops")],
            [ts("External JWT validation", [(f"sum by (validator) (rate(tonegate_auth_accepted_total{r}))", "accepted {{validator}}"),
                                            (f"sum by (validator, reason) (rate(tonegate_auth_failures_total{r}))",
                                             "failed {{validator}} {{reason}}")], unit="ops"),
             ts("JWKS fetches", [(f"sum by (validator, outcome) (rate(tonegate_auth_jwks_fetches_total{r}))",
                                  "{{validator}} {{outcome}}")], unit="ops")],
            [ts("App tokens (POST /api/token) by outcome",
                [(f"sum by (outcome) (rate(tonegate_apptoken_requests_total{r}))", "{{outcome}}")], unit="ops", stack=True),
             ts("App token latency p99 (ms)",
                [(f"histogram_quantile(0.99, sum by (le) (rate(tonegate_apptoken_request_latency_seconds_bucket{r}))) * 1000",
                  "p99")], unit="ms")],
        ]),
        ("tonegate-presence", "Tonegate: presence fan-out", "Change-only presence, delivered across instances", [
            [ts("Changes published and delivered", [(f"sum(rate(tonegate_presence_changes_published_total{r}))", "published"),
                                                    (f"sum(rate(tonegate_presence_deliveries_total{r}))", "deliveries"),
                                                    (f"sum(rate(tonegate_presence_snapshots_total{r}))", "snapshots")],
                unit="ops"),
             ts("Publish to delivery (ms)", quantiles("tonegate_presence_delivery_latency_seconds", scale=1000), unit="ms")],
            [ts("Subscribers", [("sum(tonegate_presence_subscribers)", "subscribers")]),
             ts("Slow subscribers", [(f"sum(rate(tonegate_presence_coalesced_total{r}))", "coalesced"),
                                     (f"sum(rate(tonegate_presence_slow_closed_total{r}))", "closed (1008)"),
                                     (f"sum(rate(tonegate_presence_group_claims_lost_total{r}))", "group claims lost")],
                unit="ops")],
            [ts("Poller requests by status", [(f"sum by (status) (rate(tonegate_presence_poller_requests_total{r}))", "{{status}}")],
                unit="ops"),
             ts("Refused subscriptions", [(f"sum by (endpoint, reason) (rate(tonegate_presence_refused_total{r}))",
                                           "{{endpoint}} {{reason}}")], unit="ops")],
        ]),
        ("tonegate-jvm", "Tonegate: JVM and Vert.x", "Memory, GC, CPU, threads, HTTP server and pools", [
            [ts("Heap used", [('sum by (id) (jvm_memory_used_bytes{area="heap"})', "{{id}}")], unit="bytes", stack=True),
             ts("GC pauses", [(f"sum by (action, cause) (rate(jvm_gc_pause_seconds_sum{r}))", "{{action}} {{cause}}"),
                              (f"rate(jvm_gc_memory_allocated_bytes_total{r})", "allocated bytes/s")])],
            [ts("CPU", [("process_cpu_usage", "process"), ("system_cpu_usage", "system")], unit="percentunit"),
             ts("Threads", [("jvm_threads_live_threads", "live"), ("jvm_threads_daemon_threads", "daemon")])],
            [ts("HTTP requests by status", [(f"sum by (code) (rate(vertx_http_server_requests_total{r}))", "{{code}}")],
                unit="reqps"),
             ts("HTTP response time (ms)", quantiles("vertx_http_server_response_time_seconds", scale=1000), unit="ms")],
            [ts("Connections", [("sum(vertx_http_server_active_connections)", "HTTP connections"),
                                ("sum(vertx_http_server_active_requests)", "requests in flight")]),
             ts("Pools (in use / queued)", [("sum by (pool_name) (vertx_pool_in_use)", "in use {{pool_name}}"),
                                            ("sum by (pool_name) (vertx_pool_queue_pending)", "queued {{pool_name}}")])],
        ]),
    ]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for uid, title, description, rows in specs():
        path = OUT / f"{uid}.json"
        path.write_text(json.dumps(dashboard(uid, title, description, rows), indent=2) + "\n")
        print(f"wrote grafana/dashboards/{path.name}")


if __name__ == "__main__":
    main()
