#!/usr/bin/env python3
"""Generate the project's own labelled postmortem corpus (corpus/generated.jsonl) and the
sentence-level sets (corpus/sentences/*.jsonl).

Why a generator: labels must be exactly right for the text (verbatim spans, entity lists in order
of first appearance, grade by one rubric). Documents are composed from hand-written fragment
banks; every fragment marks its entities inline (``{S:Nginx}`` service, ``{T:SRE team}`` team,
``{C:14:05}`` clock time, ``{Z:UTC}`` timezone, ``{D:2 hours}`` duration, ``{P:40%}`` percentage,
``{V:some glitch}`` vague phrase) and the labels are computed from the composition, so they are
right by construction. Style transforms (typos, non-native phrasing) touch only the plain text
between marks, before spans are taken, so spans stay verbatim.

Deterministic: a fixed seed, no clock, no environment. Run from the repo root:

    python scripts/make_corpus.py            # writes corpus/generated.jsonl + corpus/sentences/
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

SEED = 20240319
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "corpus"

MARK = re.compile(r"\{([STCZDPV]):([^{}]*)\}")
KIND = {"C": "times", "Z": "timezones", "D": "durations", "P": "percentages", "S": "services", "T": "teams"}

# --------------------------------------------------------------------------------------------
# Fragment banks.  @SVC = the incident's main service, @TEAM = an acting team.
# --------------------------------------------------------------------------------------------

TEAMS = ["SRE team", "DevOps team", "on-call engineer", "operations team", "backend team",
         "platform team", "infrastructure team", "engineering team", "development team",
         "database team", "network team", "web team", "support team", "on-call SRE",
         "site reliability team", "systems team", "incident response team"]

INCIDENTS: list[dict] = [
    {
        "key": "nginx_config", "svc": ["website", "web server", "public site", "landing page"],
        "what": ["{S:Nginx} on the @SVC stopped serving pages and answered every request with 502 Bad Gateway.",
                 "Requests to the @SVC failed with 502 errors from {S:Nginx}.",
                 "The @SVC returned error pages instead of content."],
        "spec": ["The deploy script overwrote /etc/nginx/sites-enabled/default and removed the upstream block, so {S:Nginx} proxied requests to a port where nothing was listening.",
                 "A missing semicolon after the proxy_pass line in /etc/nginx/sites-available/default made nginx -t fail, and the reload left {S:Nginx} without a valid config.",
                 "The config rewrite changed the upstream from 127.0.0.1:3000 to localhost:3000, and localhost resolved to ::1 where the app was not listening, so {S:Nginx} got connection refused and answered 502.",
                 "The new server block pointed root at /var/www/htm (missing the final l), so {S:Nginx} returned 404 for every page."],
        "part": ["A {V:misconfiguration in the Nginx config file} caused the {S:web server} to stop serving pages.",
                 "The root cause was {V:a wrong setting} in {S:Nginx} introduced during the deploy.",
                 "An {V:error in the web server configuration} made {S:Nginx} return 502 errors.",
                 "A config change on the {S:web server} {V:broke the routing}."],
        "short": {"specific": "a deploy that removed the upstream block from nginx.conf",
                  "partial": "a bad Nginx configuration", "vague": "a server problem"},
        "fix_spec": ["Restored the upstream block in /etc/nginx/sites-enabled/default and ran nginx -t.",
                     "Added the missing semicolon, ran nginx -t and reloaded {S:Nginx}."],
        "fix_gen": ["Corrected the configuration and restarted {S:Nginx}.", "Rolled back the configuration change on the {S:web server}."],
        "res_spec": ["We restored the upstream block from the previous release, validated it with nginx -t and reloaded {S:Nginx}; 502 errors stopped within a minute."],
        "res_gen": ["The configuration was fixed and the {S:web server} was restarted, after which the site came back."],
        "mis": ["Suspected the application servers and restarted them, which changed nothing.",
                "Checked the DNS records for the @SVC, assuming a DNS problem; they were correct."],
        "act": ["Add an nginx -t step to the deploy pipeline so an invalid config is never reloaded.",
                "Keep /etc/nginx under version control and deploy it with Puppet.",
                "Add a synthetic check that requests the home page every minute and pages on two failures.",
                "Make the deploy script refuse to overwrite files in /etc/nginx/sites-enabled."],
        "act_nv": ["Alerting on the 5xx rate of the @SVC above 2% for five minutes.",
                   "A pre-deploy nginx -t check in CI for every config change."],
    },
    {
        "key": "db_migration", "svc": ["orders service", "checkout API", "customer portal", "billing service"],
        "what": ["The @SVC returned errors for most writes.",
                 "Customers could not place orders: the @SVC failed on every insert into the {S:MySQL database}.",
                 "A schema migration left the {S:PostgreSQL database} locked and the @SVC timed out."],
        "spec": ["The migration added a NOT NULL column without a default to the orders table, so every INSERT from the @SVC failed with a constraint error.",
                 "ALTER TABLE on the 40-million-row events table took an exclusive lock in {S:PostgreSQL}, and every query from the @SVC queued behind it until the connection pool was exhausted.",
                 "The migration renamed customer_id to account_id while the running release still queried customer_id, so the @SVC got \"unknown column\" errors on every request.",
                 "Migration 0142 ran twice because the lock table was dropped, creating duplicate indexes that made the {S:MySQL database} reject writes on the payments table."],
        "part": ["A {V:misconfigured database update} caused {V:a mismatch in data formats}.",
                 "The database migration {V:did not go as planned} and broke the @SVC.",
                 "The root cause was {V:a problem with the database schema} after the release.",
                 "An {V:incompatible schema change} caused the queries of the @SVC to fail."],
        "short": {"specific": "a migration that added a NOT NULL column without a default",
                  "partial": "a faulty database migration", "vague": "a database issue"},
        "fix_spec": ["Ran the down migration to drop the NOT NULL constraint on orders.", "Killed the ALTER TABLE session holding the exclusive lock."],
        "fix_gen": ["Rolled back the database migration.", "Restored the previous schema and restarted the @SVC."],
        "res_spec": ["We ran the down migration to drop the new column's NOT NULL constraint, after which inserts from the @SVC succeeded again."],
        "res_gen": ["The @TEAM rolled back the migration and the service recovered."],
        "mis": ["Suspected a network partition between the app and the database and checked the security groups.",
                "Assumed the new release had a bug in the ORM and started reviewing the diff."],
        "act": ["Run every migration against a copy of the production schema in staging before release.",
                "Add a CI check that rejects NOT NULL columns added without a default.",
                "Set lock_timeout to 5s for migration sessions in PostgreSQL.",
                "Split schema changes into expand and contract releases for the orders table."],
        "act_nv": ["A staging dry run of each migration on a production-sized snapshot.",
                   "Lock-wait alerting on the primary database above 30 seconds."],
    },
    {
        "key": "cert_expiry", "svc": ["API gateway", "mobile app", "public API", "customer website"],
        "what": ["Clients could not connect to the @SVC over HTTPS.",
                 "Browsers showed certificate warnings on the @SVC and the {S:mobile app} refused to connect.",
                 "All HTTPS calls to the @SVC failed during the TLS handshake."],
        "spec": ["The TLS certificate for api.example.com expired at midnight because the certbot renewal cron job had been failing since the server moved and nobody received its error mail.",
                 "The Let's Encrypt renewal hook reloaded the wrong service, so {S:HAProxy} kept serving the old certificate until it expired.",
                 "The wildcard certificate on the {S:load balancer} was renewed in the vault but never uploaded, so the expired one stayed in use."],
        "part": ["The SSL certificate {V:was not renewed in time}.",
                 "An {V:expired certificate} on the @SVC caused the outage.",
                 "The root cause was {V:a certificate problem} on the {S:load balancer}."],
        "short": {"specific": "an expired TLS certificate after the certbot cron job silently failed",
                  "partial": "an expired certificate", "vague": "a security issue"},
        "fix_spec": ["Ran certbot renew by hand and reloaded {S:HAProxy} with the new certificate."],
        "fix_gen": ["Installed a new certificate.", "Renewed the certificate and restarted the @SVC."],
        "res_spec": ["We renewed the certificate manually with certbot, reloaded {S:HAProxy}, and fixed the cron entry so renewal runs from the new host."],
        "res_gen": ["A new certificate was issued and installed and traffic recovered."],
        "mis": ["Thought the {S:mobile app} release had broken certificate pinning and prepared a hotfix build.",
                "Suspected a DNS change and compared the records with last week's."],
        "act": ["Add an alert when any public certificate expires in less than 14 days.",
                "Move certificate renewal to cert-manager with automatic reloads.",
                "Send certbot cron failures to the on-call channel instead of root's mailbox.",
                "List every certificate and its expiry date in the service catalogue."],
        "act_nv": ["Certificate expiry monitoring for all public endpoints, paging at 7 days.",
                   "A weekly report of certificates expiring within 30 days."],
    },
    {
        "key": "dns", "svc": ["website", "login service", "API", "status page"],
        "what": ["Users could not resolve the @SVC hostname and saw connection errors.",
                 "The @SVC disappeared from the internet for many users.",
                 "Name resolution for the @SVC failed for a large share of users."],
        "spec": ["A Terraform apply deleted the A record for app.example.com because the record had been created by hand and was not in state, so the @SVC stopped resolving.",
                 "The DNS record TTL had been set to 86400 seconds, so a wrong IP pushed at 09:00 stayed cached by resolvers for a day.",
                 "The nameserver delegation at the registrar still pointed at the old provider after the migration, whose zone no longer had the www record."],
        "part": ["A {V:DNS misconfiguration} made the @SVC unreachable.",
                 "The root cause was {V:a wrong DNS record}.",
                 "{V:Problems with the DNS provider} caused resolution failures."],
        "short": {"specific": "a Terraform apply that deleted the A record",
                  "partial": "a DNS misconfiguration", "vague": "network issues"},
        "fix_spec": ["Recreated the A record for app.example.com and imported it into Terraform state."],
        "fix_gen": ["Fixed the DNS record.", "Corrected the DNS configuration and waited for propagation."],
        "res_spec": ["We recreated the A record, imported it into Terraform state so the next apply keeps it, and lowered the TTL to 300 seconds."],
        "res_gen": ["The DNS records were corrected and the site became reachable again as caches expired."],
        "mis": ["Suspected the CDN and opened a ticket with the provider.",
                "Believed the servers were down and restarted the {S:web server}."],
        "act": ["Import every DNS record into Terraform and forbid manual edits in the console.",
                "Lower the TTL of the apex and www records to 300 seconds.",
                "Add an external DNS check for app.example.com from three regions.",
                "Require terraform plan output to be reviewed when it deletes a record."],
        "act_nv": ["External resolution probes for all customer-facing hostnames.",
                   "A plan-review gate in CI for DNS deletions."],
    },
    {
        "key": "memory_leak", "svc": ["image service", "API server", "recommendation service", "chat service"],
        "what": ["The @SVC slowed down and then crashed repeatedly.",
                 "Response times of the @SVC climbed for hours until its pods were OOM-killed.",
                 "The @SVC kept restarting and dropping requests."],
        "spec": ["Version 2.3 added an in-process cache keyed by request ID with no eviction, so the @SVC grew by about 1 GB per hour until the kernel OOM killer stopped it.",
                 "A goroutine leak in the websocket handler (connections were never closed on client timeout) made the @SVC hold 200k goroutines and run out of memory.",
                 "The image resize library kept every decoded frame of animated GIFs in memory, so a few large uploads pushed the @SVC past its 2 GB limit."],
        "part": ["The @SVC {V:ran out of memory}.",
                 "A {V:memory leak in the application} caused the crashes.",
                 "The root cause was {V:high memory usage} on the servers."],
        "short": {"specific": "an unbounded in-process cache added in version 2.3",
                  "partial": "a memory leak", "vague": "performance problems"},
        "fix_spec": ["Deployed 2.3.1, which bounds the request cache to 10,000 entries with LRU eviction."],
        "fix_gen": ["Restarted the service and added more memory.", "Rolled back to the previous version."],
        "res_spec": ["We shipped 2.3.1 with an LRU bound on the cache; memory has stayed flat at 600 MB since."],
        "res_gen": ["The servers were restarted and memory was increased, which brought the service back."],
        "mis": ["Assumed a traffic spike and scaled the service out, which only delayed the crashes.",
                "Suspected the database and looked at slow query logs."],
        "act": ["Add a memory usage alert at 80% of the container limit for the @SVC.",
                "Add a load test that runs for 2 hours and fails if RSS grows more than 10%.",
                "Bound every in-process cache with a maximum size and LRU eviction.",
                "Record heap profiles hourly in production for the @SVC."],
        "act_nv": ["Heap growth alerting per pod, over a 1-hour window.",
                   "A soak test in staging before each release of the @SVC."],
    },
    {
        "key": "disk_full", "svc": ["MySQL database", "web server", "log server", "build server"],
        "what": ["Writes failed on the @SVC and the application went into an error state.",
                 "The @SVC stopped accepting writes and the application went read-only.",
                 "The @SVC crashed and would not stay up."],
        "spec": ["Disk /var filled up with uncompressed nginx access logs, so MySQL could not write its binlog.",
                 "logrotate had been disabled by a package upgrade, and /var/log grew to 100% of the 50 GB volume, so the @SVC could not write its temp files.",
                 "Binary logs were kept forever because expire_logs_days was unset, and the data volume of the {S:MySQL database} filled up."],
        "part": ["The server {V:ran out of disk space}.",
                 "The disk was full {V:because of logs}.",
                 "The root cause was {V:a storage problem} on the @SVC."],
        "short": {"specific": "uncompressed nginx access logs filling /var",
                  "partial": "a full disk", "vague": "a server issue"},
        "fix_spec": ["Compressed and moved old access logs off /var and restarted {S:MySQL}."],
        "fix_gen": ["Deleted old files to free space.", "Cleaned up the disk and restarted the @SVC."],
        "res_spec": ["We gzipped and archived the access logs, freeing 38 GB on /var, restarted {S:MySQL}, and re-enabled logrotate."],
        "res_gen": ["Space was freed on the server and the service was restarted."],
        "mis": ["Suspected corrupted tables and started a table check.",
                "Looked at the application code for a recent change that could fail writes."],
        "act": ["Re-enable logrotate for nginx with daily compression and 14 days retention.",
                "Alert when any volume passes 85% usage.",
                "Set binlog_expire_logs_seconds to 7 days on all MySQL hosts.",
                "Move /var/log to its own volume on the database hosts."],
        "act_nv": ["Disk usage alerting at 85% on every production volume.",
                   "Daily log compression for nginx and the application logs."],
    },
    {
        "key": "dependency", "svc": ["backend", "user portal", "payment API", "admin dashboard"],
        "what": ["The @SVC failed to start.",
                 "Users could not log in to the @SVC.",
                 "Every request to the @SVC raised an exception."],
        "spec": ["requirements.txt did not pin bcrypt, so the rebuild pulled bcrypt 4.1, whose new API raised AttributeError in the password check of the @SVC.",
                 "An unpinned minor upgrade of the JSON library changed how dates are serialized (ISO strings instead of epoch numbers), so the {S:mobile app} rejected every response from the @SVC.",
                 "The lockfile was regenerated during the merge and pulled a version of the ORM that dropped support for our MySQL 5.7 server, so the @SVC crashed at startup."],
        "part": ["An {V:incompatible library version} broke the @SVC.",
                 "The cause was {V:failing to update the requirements} of the project.",
                 "{V:A dependency upgrade} caused the errors."],
        "short": {"specific": "an unpinned bcrypt upgrade that changed its API",
                  "partial": "an incompatible dependency", "vague": "a software bug"},
        "fix_spec": ["Pinned bcrypt to 4.0.1 in requirements.txt and redeployed."],
        "fix_gen": ["Reverted the dependency update.", "Rebuilt the application with the old packages."],
        "res_spec": ["We pinned bcrypt to 4.0.1, rebuilt the image and redeployed; logins worked again."],
        "res_gen": ["The update was reverted and the service was redeployed."],
        "mis": ["Thought the password hashes in the database were corrupted and compared them with a backup.",
                "Suspected the load balancer and checked its logs."],
        "act": ["Pin every dependency with hashes using pip-compile.",
                "Run the full test suite in CI on every lockfile change.",
                "Enable Dependabot with one pull request per dependency.",
                "Add a login smoke test to the deploy pipeline."],
        "act_nv": ["A lockfile with pinned hashes for every service.",
                   "Contract tests between the @SVC and the mobile app in CI."],
    },
    {
        "key": "bad_deploy", "svc": ["web app", "search service", "API", "storefront"],
        "what": ["A new release of the @SVC returned errors for a large share of requests.",
                 "The @SVC started failing for a large share of requests.",
                 "The @SVC was down on Friday evening."],
        "spec": ["The release read the new FEATURE_FLAGS_URL environment variable, which was set in staging but not in production, so every request to the @SVC raised a KeyError.",
                 "The build shipped with DEBUG=True and the 2 GB debug toolbar assets, so pods of the @SVC failed their readiness probe and were never put in rotation.",
                 "The deploy ran the new code before the cache was warmed and the new cache key format made every read miss, sending 20x the normal load to the {S:database}."],
        "part": ["A {V:bad deploy} broke the @SVC.",
                 "The new release {V:had a bug} that caused errors.",
                 "The root cause was {V:a configuration change introduced during a software update}."],
        "short": {"specific": "a release that required an environment variable missing in production",
                  "partial": "a faulty release", "vague": "a bug in the code"},
        "fix_spec": ["Set FEATURE_FLAGS_URL in the production environment and restarted the pods."],
        "fix_gen": ["Rolled back the release.", "Redeployed the previous version of the @SVC."],
        "res_spec": ["We added FEATURE_FLAGS_URL to the production config map and restarted the pods; errors dropped to zero."],
        "res_gen": ["We redeployed the prior build and the error rate fell back to its usual level."],
        "mis": ["Assumed the database was overloaded and looked at its CPU graphs.",
                "Suspected a DDoS attack and enabled stricter WAF rules."],
        "act": ["Make the app fail at startup when a required environment variable is missing.",
                "Compare staging and production config maps in the deploy pipeline.",
                "Use canary deploys to 5% of pods for 15 minutes before full rollout.",
                "Add an automatic rollback when the 5xx rate exceeds 5% after a deploy."],
        "act_nv": ["A config diff between staging and production as a required CI step.",
                   "Canary analysis on error rate and latency for every release."],
    },
    {
        "key": "payment", "svc": ["payment service", "checkout", "billing system", "mobile banking app"],
        "what": ["Some customers were charged twice by the @SVC.",
                 "Payments through the @SVC failed or were duplicated.",
                 "The @SVC let users withdraw more than their balance."],
        "spec": ["The retry logic in the @SVC retried card captures after a gateway timeout without an idempotency key, so the provider processed some captures twice.",
                 "A currency conversion used float arithmetic and rounded 0.5 cents up on both legs, so refunds exceeded the original charge by one cent.",
                 "The balance check read from a replica lagging 40 seconds behind the primary, so two quick withdrawals both passed the check."],
        "part": ["A {V:bug in the payment processing} caused duplicate charges.",
                 "The {V:glitch in the transaction system} allowed wrong withdrawals.",
                 "The root cause was {V:a problem in the integration} with the payment provider."],
        "short": {"specific": "retries of card captures without an idempotency key",
                  "partial": "a payment processing bug", "vague": "a glitch"},
        "fix_spec": ["Disabled capture retries and deployed idempotency keys on every capture call."],
        "fix_gen": ["Disabled the faulty feature.", "Paused payments and deployed a fix."],
        "res_spec": ["We turned off capture retries, shipped idempotency keys for every capture call, and refunded the duplicate charges."],
        "res_gen": ["The bug was fixed and affected customers were refunded."],
        "mis": ["Suspected fraud and froze a few accounts before finding the pattern.",
                "Thought the payment provider had an outage and checked its status page."],
        "act": ["Send an idempotency key with every capture and refund request.",
                "Add a nightly reconciliation job that compares captures with orders and alerts on duplicates.",
                "Read balances from the primary for withdrawal checks.",
                "Store money amounts as integer cents in the @SVC."],
        "act_nv": ["Duplicate-charge alerting from the nightly reconciliation.",
                   "Idempotency keys on all calls to the payment provider."],
    },
    {
        "key": "auth", "svc": ["Account Sign-in Service", "login page", "SSO", "identity service"],
        "what": ["Users could not log in: the @SVC rejected valid credentials.",
                 "Login attempts failed through the @SVC.",
                 "The @SVC returned 401 errors for valid sessions."],
        "spec": ["The JWT signing key was rotated on the @SVC but not on the API gateway, so every token signed with the new key was rejected with 401.",
                 "The session store {S:Redis} was restarted without persistence, wiping all sessions, and the login endpoint's rate limit then blocked users who tried to sign in again.",
                 "The clock on the auth hosts drifted 6 minutes after NTP was removed from the image, so freshly issued tokens were rejected as not yet valid."],
        "part": ["A {V:configuration issue in the authentication service} caused login failures.",
                 "Tokens {V:became invalid} after a change.",
                 "{V:Problems with the session handling} made users unable to log in."],
        "short": {"specific": "a JWT key rotated on the auth service but not on the gateway",
                  "partial": "an authentication configuration issue", "vague": "technical difficulties"},
        "fix_spec": ["Deployed the new JWT public key to the API gateway."],
        "fix_gen": ["Restarted the authentication service.", "Reverted the change to the @SVC."],
        "res_spec": ["We pushed the new public key to the gateway and, as a stopgap, accepted both keys for 24 hours."],
        "res_gen": ["The change was reverted and logins started working again."],
        "mis": ["Suspected a credential-stuffing attack and blocked some IP ranges.",
                "Looked at the user database for corrupted password hashes."],
        "act": ["Rotate JWT keys with a two-key overlap window on every verifier.",
                "Add ntpd to the base image and alert on clock skew above 1 second.",
                "Add a login synthetic check every minute from two regions.",
                "Enable Redis persistence for the session store."],
        "act_nv": ["Clock skew alerting on all auth hosts.",
                   "A runbook step for key rotation that lists every verifier."],
    },
    {
        "key": "cache_stampede", "svc": ["product catalogue", "home page", "news feed", "pricing API"],
        "what": ["The @SVC became very slow and then timed out.",
                 "Database load spiked and the @SVC returned timeouts.",
                 "The @SVC was unavailable for most users."],
        "spec": ["All keys of the @SVC were written with the same 1-hour TTL at deploy time, so they expired together and thousands of requests recomputed the same queries on the {S:database} at once.",
                 "A {S:Memcached} node restart emptied the cache, and without request coalescing every miss for the top 100 products went to the {S:database}, which hit its 500 connection limit."],
        "part": ["A {V:cache problem} overloaded the {S:database}.",
                 "The {V:caching layer did not work correctly}, causing heavy load.",
                 "Wrong cache settings sent {V:far more queries} to the {S:database}."],
        "short": {"specific": "cache keys that all expired at the same time",
                  "partial": "a caching problem", "vague": "an issue in the backend infrastructure"},
        "fix_spec": ["Added random jitter of up to 10 minutes to the TTLs and warmed the top keys."],
        "fix_gen": ["Restarted the cache and scaled the database.", "Limited traffic until the cache was warm."],
        "res_spec": ["We added TTL jitter, enabled request coalescing for the top queries, and warmed the cache before letting traffic back."],
        "res_gen": ["The cache was rebuilt and the load went down."],
        "mis": ["Blamed a slow query from the new report and killed it.",
                "Suspected a DDoS and looked at traffic sources."],
        "act": ["Add random jitter to cache TTLs in the @SVC.",
                "Enable request coalescing for cache misses on the top 100 keys.",
                "Warm the cache from a snapshot before a Memcached node rejoins.",
                "Alert on cache hit ratio below 80% for 5 minutes."],
        "act_nv": ["Cache hit-ratio alerting per cluster.",
                   "TTL jitter for every cached object type."],
    },
    {
        "key": "rate_limit", "svc": ["public API", "webhook sender", "mobile API", "partner API"],
        "what": ["Legitimate clients of the @SVC got HTTP 429 responses.",
                 "The @SVC throttled most of its traffic.",
                 "Requests to the @SVC were rejected as rate limited."],
        "spec": ["The rate limiter counted requests per IP, and all mobile clients of one carrier share a NAT address, so they hit the 100 requests per minute limit together.",
                 "A config push changed the limit unit from per second to per minute, cutting the allowed rate of the @SVC 60 times."],
        "part": ["The {V:rate limiting was set too strict}.",
                 "A {V:wrong rate limit configuration} blocked users.",
                 "The root cause was {V:an issue with the throttling}."],
        "short": {"specific": "a per-IP rate limit hit by users behind one carrier NAT",
                  "partial": "a strict rate limit", "vague": "a network glitch"},
        "fix_spec": ["Switched the limiter key from client IP to API token."],
        "fix_gen": ["Raised the rate limit.", "Disabled rate limiting temporarily."],
        "res_spec": ["We keyed the limiter on the API token instead of the IP address and raised the burst to 200."],
        "res_gen": ["The limits were raised and traffic recovered."],
        "mis": ["Suspected an attack and looked for abusive clients.",
                "Thought the API servers were overloaded and added capacity."],
        "act": ["Key the rate limiter on API token instead of client IP.",
                "Add a unit test for the limit configuration that checks the unit.",
                "Alert when the share of 429 responses passes 1%."],
        "act_nv": ["A 429-rate dashboard and alert per client.",
                   "Review of limit changes by a second engineer before merge."],
    },
    {
        "key": "queue_backlog", "svc": ["notification service", "email queue", "order pipeline", "RabbitMQ"],
        "what": ["Messages piled up in the @SVC and notifications were hours late.",
                 "The @SVC stopped processing jobs and the backlog grew.",
                 "Order confirmations were delayed by hours."],
        "spec": ["A poison message with a 20 MB payload made every consumer crash and requeue it, so the @SVC processed nothing else and the backlog reached 2 million messages.",
                 "The consumer prefetch was set to 1 after a library upgrade, which cut the throughput of the @SVC from 800 to 40 messages per second."],
        "part": ["The {V:workers could not keep up} with the queue.",
                 "A {V:problem in the consumers} caused the backlog.",
                 "The root cause was {V:a bottleneck in the processing}."],
        "short": {"specific": "a poison message that crashed every consumer",
                  "partial": "slow consumers", "vague": "system problems"},
        "fix_spec": ["Moved the 20 MB message to a dead-letter queue and restarted the consumers."],
        "fix_gen": ["Added more workers.", "Purged the queue and restarted the workers."],
        "res_spec": ["We moved the poison message to a dead-letter queue, restarted the consumers and let them drain the backlog over 3 hours."],
        "res_gen": ["More workers were added and the backlog was processed."],
        "mis": ["Suspected the SMTP provider and checked its status.",
                "Assumed a traffic spike from a marketing campaign."],
        "act": ["Configure a dead-letter queue with a max of 3 deliveries for the @SVC.",
                "Reject messages larger than 1 MB at the producer.",
                "Alert when queue depth stays above 10,000 for 10 minutes."],
        "act_nv": ["Queue depth and consumer lag alerting for every queue.",
                   "A dead-letter queue per consumer group."],
    },
    {
        "key": "cron", "svc": ["reporting service", "backup system", "invoice generator", "data warehouse"],
        "what": ["The nightly job of the @SVC did not run and reports were missing in the morning.",
                 "The @SVC ran the same job many times and overloaded the database.",
                 "A scheduled job of the @SVC deleted data it should have kept."],
        "spec": ["The crontab entry used 0 0 * * 0 instead of 0 0 * * *, so the nightly export ran only on Sundays and six days of invoices were never generated.",
                 "The cleanup cron job ran as root with rm -rf $EXPORT_DIR/ and EXPORT_DIR was empty after the config change, so it deleted /.",
                 "Two hosts had the same crontab after the server was cloned, so the invoice job ran twice and every customer received two invoices."],
        "part": ["A {V:problem with the scheduled job} caused missing reports.",
                 "The {V:cron job was misconfigured}.",
                 "The root cause was {V:an error in the job schedule}."],
        "short": {"specific": "a crontab entry that ran only on Sundays",
                  "partial": "a misconfigured cron job", "vague": "an unexpected error"},
        "fix_spec": ["Corrected the crontab to 0 0 * * * and ran the missing exports by hand."],
        "fix_gen": ["Fixed the job and ran it again.", "Disabled the job."],
        "res_spec": ["We fixed the schedule, ran the six missing exports manually and checked the invoice totals against the orders table."],
        "res_gen": ["The job was fixed and re-run."],
        "mis": ["Thought the export script had a bug and read its logs, which were empty.",
                "Suspected the database backup window was blocking the job."],
        "act": ["Move scheduled jobs to one scheduler with a lock so a job runs once.",
                "Alert when the nightly export has not finished by 03:00.",
                "Add set -u to every cron script so an unset variable stops it."],
        "act_nv": ["A dead man's switch check for each nightly job.",
                   "One shared scheduler for all cron jobs."],
    },
    {
        "key": "lb_health", "svc": ["load balancer", "web cluster", "API servers", "HAProxy"],
        "what": ["The @SVC marked all backends unhealthy and returned 503 errors.",
                 "Half of the traffic through the @SVC failed.",
                 "Users saw intermittent 503 errors from the @SVC."],
        "spec": ["The health check path /health was moved to /healthz in the release, so the {S:load balancer} got 404 on every check and removed all backends.",
                 "The health check only tested that the port was open, so the {S:load balancer} kept routing to web-02 after its application process hung, and every second request failed."],
        "part": ["The {V:health checks were misconfigured}.",
                 "The {S:load balancer} {V:had a problem} with the backends.",
                 "The root cause was {V:a mismatch in the load balancer settings}."],
        "short": {"specific": "a health check path renamed in the release",
                  "partial": "a misconfigured health check", "vague": "an infrastructure problem"},
        "fix_spec": ["Pointed the health check at /healthz and reloaded the {S:load balancer}."],
        "fix_gen": ["Fixed the load balancer configuration.", "Removed the bad server from the pool."],
        "res_spec": ["We changed the check path to /healthz, reloaded {S:HAProxy}, and all backends went green within 30 seconds."],
        "res_gen": ["The balancer settings were put right and requests flowed again."],
        "mis": ["Suspected the network between the load balancer and the servers.",
                "Restarted the application servers one by one."],
        "act": ["Add a test that checks the health check path in the HAProxy config exists in the app routes.",
                "Make the health endpoint check the database connection, not only the port.",
                "Alert when fewer than 2 backends are healthy."],
        "act_nv": ["A contract test between the load balancer config and the app routes.",
                   "Paging on healthy backend count below 2."],
    },
    {
        "key": "cloud_quota", "svc": ["worker fleet", "Kubernetes cluster", "batch platform", "autoscaling group"],
        "what": ["The @SVC could not scale up during peak traffic.",
                 "New instances of the @SVC failed to start and the service slowed down.",
                 "Jobs queued for hours on the @SVC."],
        "spec": ["The region's vCPU quota of 256 was reached, so the autoscaler's requests for new instances failed with a quota error and the @SVC stayed at 32 nodes during the peak.",
                 "The subnet had only 251 free IP addresses and each pod took one, so new pods of the @SVC stayed Pending once the subnet was exhausted."],
        "part": ["The {V:cloud limits were reached}.",
                 "{V:Capacity issues} prevented scaling.",
                 "The root cause was {V:insufficient resources}."],
        "short": {"specific": "the regional vCPU quota of 256",
                  "partial": "a cloud quota limit", "vague": "capacity problems"},
        "fix_spec": ["Requested a vCPU quota increase to 512 and retried the scale-up."],
        "fix_gen": ["Increased the limits.", "Moved some workloads to another region."],
        "res_spec": ["The provider raised the vCPU quota to 512 within 40 minutes, the autoscaler added 20 nodes and the queue drained."],
        "res_gen": ["The limit was raised and the service scaled."],
        "mis": ["Thought the autoscaler was broken and restarted it.",
                "Suspected the new instance image."],
        "act": ["Alert when vCPU usage passes 70% of the regional quota.",
                "Request quota increases before the seasonal peak each year.",
                "Move the cluster to a /20 subnet."],
        "act_nv": ["Quota headroom dashboards for every region.",
                   "A quarterly capacity review with the quota numbers."],
    },
    {
        "key": "timezone", "svc": ["booking service", "appointment scheduler", "booking app", "clinic booking system"],
        "what": ["The @SVC showed appointments one hour off.",
                 "Reminders from the @SVC were sent at the wrong time.",
                 "The @SVC double-booked appointment slots."],
        "spec": ["The @SVC stored local times without an offset and converted them with the server's timezone, so after the daylight saving change every slot moved by one hour.",
                 "The report query used DATE(created_at) on UTC timestamps, so orders placed after 20:00 in New York counted for the next day."],
        "part": ["A {V:timezone bug} shifted the appointments.",
                 "The {V:date handling was wrong} after the clock change.",
                 "The root cause was {V:an issue with time conversion}."],
        "short": {"specific": "local times stored without an offset",
                  "partial": "a timezone bug", "vague": "a bug in the code"},
        "fix_spec": ["Converted the stored times to UTC with the original offsets and redeployed."],
        "fix_gen": ["Fixed the time conversion.", "Corrected the affected bookings by hand."],
        "res_spec": ["We migrated all slots to UTC with explicit offsets and re-sent the reminders for the affected day."],
        "res_gen": ["The times were corrected and customers were informed."],
        "mis": ["Suspected the email provider of delaying messages.",
                "Thought the server clock was wrong and checked NTP."],
        "act": ["Store all timestamps in UTC with an explicit offset.",
                "Add tests for the DST transition dates of every supported region.",
                "Set TZ=UTC on all servers of the @SVC."],
        "act_nv": ["DST boundary tests in the CI suite.",
                   "UTC-only timestamps in the bookings schema."],
    },
    {
        "key": "network", "svc": ["internal network", "VPN", "office network", "data center link"],
        "what": ["Services could not reach each other across the @SVC.",
                 "The @SVC dropped packets and many requests timed out.",
                 "Engineers and services lost access through the @SVC."],
        "spec": ["A firewall rule pushed by Ansible denied TCP 5432 from the app subnet, so the application servers could not open connections to {S:PostgreSQL}.",
                 "The MTU on the new VPN tunnel was 1500 while the path allowed 1400, and large packets were dropped silently, so TLS handshakes over the @SVC hung."],
        "part": ["A {V:network misconfiguration} blocked traffic.",
                 "A {V:firewall change} caused the connection problems.",
                 "The root cause was {V:a routing issue}."],
        "short": {"specific": "a firewall rule that denied port 5432 from the app subnet",
                  "partial": "a firewall change", "vague": "network issues"},
        "fix_spec": ["Removed the deny rule for TCP 5432 and re-ran the Ansible playbook."],
        "fix_gen": ["Reverted the network change.", "Restarted the network equipment."],
        "res_spec": ["We reverted the firewall rule and re-ran the playbook with the corrected subnet list; connections recovered at once."],
        "res_gen": ["The network change was rolled back and connectivity came back."],
        "mis": ["Suspected the database was down and checked its process.",
                "Restarted the application servers."],
        "act": ["Add a post-deploy check that opens a connection from each app subnet to PostgreSQL.",
                "Review firewall rule changes in pull requests with a second approver.",
                "Set the tunnel MTU to 1400 in the VPN template."],
        "act_nv": ["Connectivity probes between subnets after every firewall push.",
                   "A second approver for firewall pull requests."],
    },
]

INCIDENTS += [
    {
        "key": "rewrite_loop", "svc": ["wiki", "docs site", "intranet portal", "help centre"],
        "what": ["Every page of the @SVC came back as HTTP 500 from {S:Apache} right after the theme update.",
                 "The @SVC showed a bare \"Internal Server Error\" page on every URL.",
                 "Only the front page of the @SVC loaded; every article link failed with 500."],
        "spec": ["The theme update shipped an .htaccess whose RewriteRule sent /docs/ back to /docs/ with no RewriteCond guard, so {S:Apache} hit its limit of 10 internal redirects and answered 500 for every article.",
                 "A RewriteBase of /kb/ was left in the new .htaccess although the @SVC now lives at the domain root, so every rewritten path pointed into itself until mod_rewrite gave up with 500.",
                 "The upgrade enabled AllowOverride All on /srv/wiki, which activated an old .htaccess with a rewrite loop that had been ignored for two years."],
        "part": ["A {V:bad rewrite rule} broke the @SVC.",
                 "The root cause was {V:an error in the web server rules}.",
                 "An {V:Apache setting that changed with the theme} caused the 500 errors."],
        "short": {"specific": "an .htaccess RewriteRule that redirected /docs/ to itself", "partial": "a broken rewrite rule", "vague": "a server error"},
        "fix_spec": ["Found \"Request exceeded the limit of 10 internal redirects\" in /var/log/apache2/error.log and disabled the new rule.",
                     "Added a RewriteCond that skips requests already under /docs/ and reloaded {S:Apache}."],
        "fix_gen": ["Fixed the rewrite rules and reloaded {S:Apache}.", "Went back to the previous theme."],
        "res_spec": ["We put the RewriteCond guard in front of the rule, ran apachectl configtest, reloaded {S:Apache} and walked through 40 article URLs with a link checker; all returned 200."],
        "res_gen": ["The rules were fixed and {S:Apache} was reloaded, after which the pages loaded."],
        "mis": ["Suspected the PHP upgrade from the same night and compared php.ini files.",
                "Thought the article database was corrupted and ran a table check on it."],
        "act": ["Run a link checker over the 200 most visited URLs of the @SVC after every theme update.",
                "Move the rewrite rules from .htaccess into the versioned vhost file and set AllowOverride None.",
                "Alert when the share of 500 responses from {S:Apache} passes 1% for 5 minutes."],
        "act_nv": ["A post-update crawl of the top article URLs.", "Rewrite rules kept in the vhost under review, not in .htaccess."],
    },
    {
        "key": "socket_path", "svc": ["web server", "app frontend", "dashboard", "web-03"],
        "what": ["{S:Nginx} answered every request to the @SVC with 502 Bad Gateway after the OS upgrade.",
                 "The @SVC loaded its static files but every API call failed with 502.",
                 "Visitors saw a gateway error page from the @SVC."],
        "spec": ["The OS upgrade moved the gunicorn socket from /tmp/app.sock to /run/app/app.sock through the new systemd unit, but the {S:Nginx} upstream still pointed at /tmp/app.sock, so every proxied request failed with \"no such file\".",
                 "The new systemd unit for gunicorn used PrivateTmp=true, so the socket it created in /tmp was invisible to {S:Nginx}, which logged connect() failed (2: No such file or directory).",
                 "The socket /run/app/app.sock was created with mode 0600 for the app user, so the www-data worker of {S:Nginx} got permission denied on connect."],
        "part": ["{S:Nginx} {V:could not talk to the application}.",
                 "The root cause was {V:a connection problem between the proxy and the app} on the @SVC.",
                 "An {V:upgrade side effect} stopped {S:Nginx} from reaching gunicorn."],
        "short": {"specific": "an Nginx upstream still pointing at the old gunicorn socket path", "partial": "a proxy that could not reach the app", "vague": "a server issue"},
        "fix_spec": ["Pointed the upstream at unix:/run/app/app.sock and reloaded {S:Nginx}."],
        "fix_gen": ["Fixed the proxy settings.", "Restarted {S:Nginx} and the app."],
        "res_spec": ["We changed the upstream to unix:/run/app/app.sock, set the socket group to www-data, reloaded {S:Nginx} and checked three API routes with curl."],
        "res_gen": ["The proxy configuration was corrected and the app came back."],
        "mis": ["Suspected the application itself and read through the gunicorn access log, which was empty.", "Thought the upgrade had removed a Python package and reinstalled the requirements."],
        "act": ["Define the socket path once in the systemd unit template and render the {S:Nginx} upstream from the same variable.",
                "Add a post-upgrade smoke test that calls /api/health through {S:Nginx}.", "Alert on \"connect() failed\" lines in the {S:Nginx} error log."],
        "act_nv": ["A health probe through the proxy, not only on the app port.", "One templated source for the socket path."],
    },
    {
        "key": "port_exhaustion", "svc": ["API server", "price fetcher", "integration worker", "api-02"],
        "what": ["Under load the @SVC failed a large share of its outgoing calls.",
                 "Calls from the @SVC to the inventory backend failed with \"Cannot assign requested address\".",
                 "The @SVC dropped requests whenever the nightly sync started."],
        "spec": ["The HTTP client of the @SVC opened a new TCP connection for every call to the inventory backend and closed it at once, so about 28,000 sockets sat in TIME_WAIT and the host ran out of ephemeral ports.",
                 "Keep-alive to the upstream was switched off in the client library update, and with net.ipv4.ip_local_port_range left at 32768-60999 the @SVC exhausted its source ports during the nightly sync."],
        "part": ["The @SVC {V:ran out of network resources}.",
                 "A {V:connection handling problem} caused failed calls.",
                 "The root cause was {V:a limit on the host} of the @SVC."],
        "short": {"specific": "a client that opened a new connection per call and exhausted ephemeral ports", "partial": "exhausted outgoing connections", "vague": "performance problems"},
        "fix_spec": ["Enabled a pooled keep-alive session with 50 connections in the inventory client and redeployed."],
        "fix_gen": ["Restarted the @SVC.", "Tuned the network settings."],
        "res_spec": ["We switched the client to a pooled keep-alive session, TIME_WAIT sockets fell from 28,000 to about 300, and the replayed sync finished with no failed calls."],
        "res_gen": ["The client settings were changed and the calls succeeded again."],
        "mis": ["Suspected the inventory backend and asked its owners to check their load.", "Thought DNS lookups were failing and added a local resolver cache."],
        "act": ["Use one pooled keep-alive HTTP session per upstream in the @SVC.", "Replay the nightly sync against staging before each client library upgrade.",
                "Alert when TIME_WAIT sockets on the @SVC pass 10,000."],
        "act_nv": ["Socket-state metrics (TIME_WAIT, ESTABLISHED) per host.", "A replay of the nightly sync in staging before upgrades."],
    },
    {
        "key": "conn_pool", "svc": ["application server", "API", "web app", "order service"],
        "what": ["The @SVC timed out for most requests during the evening peak.",
                 "Requests to the @SVC hung and then failed with database timeouts.",
                 "The @SVC became very slow and users saw timeouts."],
        "spec": ["The database connection pool of the @SVC was left at the default of 10 connections, so during the evening peak requests waited for a free connection and timed out after 30 s.",
                 "A code path in the export endpoint opened a connection and never closed it on error, so the pool of the @SVC leaked a connection per failed export until all 50 were taken.",
                 "max_connections on {S:PostgreSQL} was 100 while the 12 app pods each opened 20 connections, so new pods could not connect after the scale-up."],
        "part": ["The {V:pool settings did not fit the traffic} of the @SVC.",
                 "A release {V:leaked connections} under load.",
                 "The {V:database connections were exhausted}."],
        "short": {"specific": "a connection pool left at 10 connections", "partial": "exhausted database connections", "vague": "database issues"},
        "fix_spec": ["Raised the pool size to 40 and restarted the pods of the @SVC."],
        "fix_gen": ["Restarted the @SVC.", "Increased the database connections."],
        "res_spec": ["We raised the pool to 40 connections per pod, which fits under max_connections, and restarted the pods; latency returned to normal."],
        "res_gen": ["The pool settings were changed and the application restarted."],
        "mis": ["Suspected slow queries and added an index that did not help.", "Thought the network to the database was lossy."],
        "act": ["Set the pool size of the @SVC explicitly in its config and document the formula.",
                "Alert when pool usage stays above 80% for 5 minutes.",
                "Close connections in a finally block in the export endpoint."],
        "act_nv": ["Connection pool utilisation and wait-time metrics on the main dashboard.", "A lint rule that flags connections opened without a context manager."],
    },
    {
        "key": "firewall_ports", "svc": ["web server", "website", "API server", "server"],
        "what": ["Nobody could reach the @SVC from outside.",
                 "All HTTP and HTTPS traffic to the @SVC was dropped.",
                 "The @SVC was unreachable from the internet but worked locally."],
        "spec": ["ufw was enabled during the hardening with only port 22 allowed, so web requests to the @SVC on 80/tcp and 443/tcp were silently dropped.",
                 "The security group of the @SVC was replaced by Terraform with a copy that only allowed SSH, so the {S:load balancer} could not reach port 443."],
        "part": ["A {V:firewall misconfiguration} blocked incoming traffic.",
                 "The root cause was {V:wrong firewall settings} on the @SVC.",
                 "The {V:security changes blocked the ports}."],
        "short": {"specific": "ufw enabled with only port 22 allowed", "partial": "a firewall misconfiguration", "vague": "network issues"},
        "fix_spec": ["Ran ufw allow 80/tcp and ufw allow 443/tcp."],
        "fix_gen": ["Fixed the firewall rules.", "Disabled the firewall temporarily."],
        "res_spec": ["We allowed 80/tcp and 443/tcp in ufw, checked with curl from outside, and added the rules to the hardening script."],
        "res_gen": ["The firewall rules were fixed and the site was reachable again."],
        "mis": ["Suspected the web server process and restarted it.", "Checked DNS, which was fine."],
        "act": ["Add the 80/tcp and 443/tcp rules to the hardening script before ufw enable.",
                "Add an external HTTP check from outside the network.", "Require a second reviewer for firewall changes."],
        "act_nv": ["An external reachability probe for ports 80 and 443.", "Firewall rules as code, reviewed in pull requests."],
    },
    {
        "key": "traffic_surge", "svc": ["online store", "ticketing site", "API", "web app"],
        "what": ["The @SVC slowed down and then failed during a traffic surge.",
                 "A spike of traffic made the @SVC unavailable.",
                 "During the product launch the @SVC returned errors."],
        "spec": ["A crawler sent 400 requests per second to /search with random query strings; every request missed the cache and ran a full-text query, so the {S:database} CPU reached 100%.",
                 "The launch email linked to a page that was marked no-cache, so all 90,000 visitors hit the application servers directly instead of the {S:CDN}."],
        "part": ["The root cause was {V:more visitors than the site could take}.",
                 "{V:High traffic} overloaded the {S:database} server.",
                 "The servers {V:did not have enough capacity} for the launch."],
        "short": {"specific": "a crawler hitting uncached /search queries", "partial": "a traffic surge", "vague": "too many users"},
        "fix_spec": ["Blocked the crawler's user agent at the {S:load balancer} and cached /search for 60 s."],
        "fix_gen": ["Scaled up the servers.", "Added more instances."],
        "res_spec": ["We blocked the crawler, cached search results for 60 seconds and database CPU dropped to 30%."],
        "res_gen": ["More servers were added and the load went down."],
        "mis": ["Suspected a DDoS attack and called the hosting provider.", "Suspected the last deploy and rolled it back."],
        "act": ["Rate-limit /search to 10 requests per second per client.", "Cache search results for 60 seconds.",
                "Load-test the launch page with 100,000 virtual users before each campaign."],
        "act_nv": ["Per-path rate limits at the load balancer.", "A load test before every marketing campaign."],
    },
    {
        "key": "fstab", "svc": ["file server", "database server", "media server", "backup server"],
        "what": ["After a reboot the @SVC came up without its data.",
                 "The @SVC started with an empty data directory.",
                 "Applications could not find their files on the @SVC."],
        "spec": ["The data volume of the @SVC was mounted by hand after it was added and never written to /etc/fstab, so after the kernel update reboot /data was an empty directory on the root disk.",
                 "The new fstab entry used the device name /dev/xvdf, which changed to /dev/nvme1n1 on the new instance type, so the volume was not mounted at boot."],
        "part": ["The data volume {V:was not there after the restart}.",
                 "A {V:disk mounting problem} after the reboot.",
                 "The root cause was {V:a storage configuration issue}."],
        "short": {"specific": "a data volume missing from /etc/fstab", "partial": "a volume that did not mount", "vague": "a storage problem"},
        "fix_spec": ["Mounted the volume on /data and added it to /etc/fstab by UUID."],
        "fix_gen": ["Mounted the disk again.", "Restarted the server."],
        "res_spec": ["We mounted the volume, added it to /etc/fstab by UUID with nofail, and rebooted once to prove it mounts."],
        "res_gen": ["The disk was mounted and the services restarted."],
        "mis": ["Thought the data had been deleted and started a restore from backup.", "Suspected a failed disk."],
        "act": ["Reference volumes by UUID in /etc/fstab on every host.", "Add a post-reboot check that /data is a mount point.",
                "Reboot one staging host per week to test boot-time mounts."],
        "act_nv": ["A mount-point check in the monitoring agent.", "UUID-based fstab entries on all hosts."],
    },
]

# Shorter, assistant-style statements at both levels, added to matching incidents: the
# specific/partial boundary is about naming the setting and the chain, not about file paths.
EXTRA_RC: dict[str, dict[str, list[str]]] = {
    "conn_pool": {"spec": ["Each of the 8 worker processes kept its own pool of 25 connections, 200 in all, against a server limit of 150, so after the worker count was doubled half the workers waited on connect until the 30 s timeout.",
                           "The connection pool size of the @SVC was 5 while each request held a connection for the whole export, so a few exports blocked everyone else."],
                  "part": ["The nightly report job {V:held too many database connections} and left little for the @SVC.",
                           "{V:A change to the pool settings} starved the @SVC of connections during the peak."]},
    "nginx_config": {"spec": ["The Nginx upstream named a backend by its old private IP 10.0.4.17, which was handed to a batch host after the resize, so {S:Nginx} proxied shop traffic to a machine with no web server and returned 502.",
                              "A syntax error in the server block (a missing closing brace) made the reload fail, and {S:Nginx} kept running without the new site."],
                     "part": ["A {V:stale proxy setting} caused the 502 errors.", "The {V:proxy rules were edited by mistake} while cleaning up old vhosts."]},
    "lb_health": {"spec": ["The pool file of {S:HAProxy} still listed app-07, which had been stopped for the disk swap, and the check interval was 60 s, so for a minute after each restart a third of the requests went to a dead host."],
                  "part": ["The {S:load balancer} {V:kept an old backend in its pool}."]},
    "firewall_ports": {"spec": ["The new nftables rule set put the default drop policy ahead of the accept rules for 80/tcp and 443/tcp, so packets from the internet to the @SVC never reached the web server."],
                       "part": ["{V:A change to the packet filter} cut off web traffic."]},
    "traffic_surge": {"part": ["A {V:flood of visitors} after the radio advert reached the @SVC faster than it could scale.",
                               "The {V:campaign traffic was bigger than planned} and the {S:database} could not keep up."]},
    "memory_leak": {"spec": ["Each websocket subscription registered a callback in a global list that was never cleared on disconnect, so the @SVC gained about 40 MB per thousand reconnects until the container hit its 1 GB limit."],
                    "part": ["The @SVC {V:kept allocating memory it never released}."]},
    "rewrite_loop": {"spec": ["An .htaccess rule rewrote every path under /docs/ to /docs/index.php?p=$1 without excluding index.php itself, so {S:Apache} looped until the redirect limit and returned 500."],
                     "part": ["The {V:rewrite configuration from the theme package} broke the URLs."]},
    "cache_stampede": {"part": ["Since the last release the {V:cache was bypassed for logged-in users}, which pushed their reads to the {S:database}."]},
    "dependency": {"part": ["A {V:transitive dependency changed its behaviour} in a patch release.",
                            "The {V:upgraded SDK did not match} the version our code was written for."]},
    "fstab": {"part": ["After the reboot {V:the storage volume was missing} from the @SVC."]},
    "db_migration": {"spec": ["The investigation traced the failures to migration 0087, which changed the price column from DECIMAL(10,2) to INTEGER, so every order with cents was rejected by the @SVC."],
                     "part": ["Our investigation showed that {V:a schema update applied during the release} left the @SVC unable to save records.",
                              "The outage was traced to {V:an inconsistency between the application and the database schema}, which caused writes to fail."]},
    "cert_expiry": {"part": ["The root cause was identified as {V:a lapse in the certificate renewal process}, which left the @SVC presenting an expired certificate."]},
    "dns": {"part": ["Analysis revealed that {V:an update to our DNS settings} sent users to an address that no longer served the @SVC."]},
    "disk_full": {"spec": ["The cause was a debug flag left on after the April incident: the @SVC wrote every SQL statement to /var/log/app/query.log, which grew by 6 GB a day until the root volume was full."],
                  "part": ["The outage was traced to {V:log files growing without limit}, which eventually left the server with no free space."]},
    "bad_deploy": {"part": ["After investigation, the root cause was found to be {V:a regression introduced in the latest release} of the @SVC.",
                            "The incident was caused by {V:an untested change in the deployment}, which affected request handling."]},
    "queue_backlog": {"part": ["The root cause was determined to be {V:an inefficiency in the message consumers}, which could not keep up with incoming jobs."]},
    "cloud_quota": {"part": ["The investigation identified {V:a limit set by the cloud provider} as the reason the @SVC could not add capacity."]},
    "rate_limit": {"spec": ["The limiter of the @SVC shared one Redis key for all tenants after the refactor, so the 100 requests per minute meant for each customer became a single global budget."],
                   "part": ["The root cause was traced to {V:an overly aggressive throttling policy} on the @SVC."]},
    "cron": {"part": ["It was determined that {V:a scheduling error in an automated task} caused the job to run at the wrong time."]},
    "socket_path": {"part": ["The investigation found that {V:the OS upgrade changed how the application was reached}, so the proxy lost its backend."]},
    "port_exhaustion": {"part": ["The root cause was identified as {V:inefficient handling of outbound connections} in the @SVC."]},
    "auth": {"spec": ["The SAML metadata of the identity provider was refreshed with a new signing certificate, but the @SVC cached the old metadata for 7 days, so every assertion failed signature validation."]},
}

for _inc in INCIDENTS:
    for _k, _v in EXTRA_RC.get(_inc["key"], {}).items():
        _inc[_k] = _inc[_k] + _v

# Vague root-cause sentences that sound technical (a trap); {V:} marks the vague phrase.
VAGUE_RC = [
    "What broke it was {V:a misconfiguration somewhere in the system}.",
    "The outage was caused by {V:an issue in the backend infrastructure}.",
    "There was {V:some framework problem} which caused the glitch.",
    "The error came from {V:a problem which occured while updating the system}.",
    "It was due to {V:technical difficulties} on our side.",
    "{V:A bug in the code} caused the failure.",
    "The root cause was {V:an issue with the server}.",
    "{V:Human error} was the root cause.",
    "The problem came from {V:a glitch in the system}.",
    "We found that {V:something went wrong with the configuration}.",
    "The cause was {V:an unexpected error in one of the components}.",
    "Basically {V:the server had some problems} and stopped working.",
    "{V:A network glitch} caused the issue.",
    "The issue was caused by {V:a system failure}.",
    "The root cause was {V:a software bug introduced in the latest changes}.",
    "{V:Unforeseen circumstances in the infrastructure} led to the outage.",
]
SYMPTOMS = ["The @SVC was unavailable for users.", "Users saw errors on the @SVC.", "The @SVC stopped responding.",
            "Our @SVC went down.", "The @SVC was very slow and then unreachable.", "There was an outage of the @SVC."]
FIX_VAGUE = ["Applied a fix and restarted the @SVC.", "The @TEAM fixed the issue.", "Deployed a fix.",
             "Restarted everything and it worked."]
RES_VAGUE = ["The @TEAM found the problem and fixed it, and the @SVC came back.",
             "We applied a fix and restarted the services; after that everything worked again.",
             "The issue was resolved by the @TEAM and the system was back online."]
GENERIC_STEPS = ["Posted an update on the status page.", "Opened an incident channel.",
                 "Checked the monitoring graphs again.", "Restarted one instance to test a theory.",
                 "Informed the support desk about the outage.", "Collected logs for later analysis."]
VAGUE_BLAME = {"{V:Human error} was the root cause."}

# Corrective tasks that are NOT actionable (aspirations, goals without a deliverable, verb
# without an object, periodic reviews, catch-alls).
NON_ACTIONABLE = [
    "Improve monitoring.", "Enhance monitoring", "Be more careful when deploying.",
    "Be cautious when updating the system.", "Improve documentation and training for the team.",
    "Conduct regular training for our engineers.", "Improve our change management process.",
    "Strive to communicate better during incidents.", "Implement additional automated tests to detect any glitches.",
    "Conduct a comprehensive review of the update.", "Review our processes regularly.",
    "Make the system more robust.", "Improve testing", "Increase awareness of best practices.",
    "Double check everything before pushing to production.", "Enhance our incident response capabilities.",
    "Perform regular audits of the infrastructure.", "Avoid this kind of mistake in the future.",
    "Improve communication between teams.", "Ensure better quality of the code.",
    "Optimize performance", "Monitor the servers more closely.", "Learn from this incident.",
    "Implement more robust monitoring of server performance and resource usage.",
    "Continue to improve our processes.", "Review all configurations", "Stay vigilant",
    "Take more time to test things.", "Have better alerts", "Make sure this never happens again.",
    "Improve the deployment process.", "Fix the bugs", "Strengthen security measures.",
    "Enhance collaboration between development and operations.", "Upgrade the infrastructure as needed.",
    "Regularly review logs for anomalies.", "Pay more attention to warnings.", "Work on scalability",
    "Improve alerting", "Enhance logging across services.", "Increase test coverage.", "Automate more things.",
    "Invest in better tooling.", "Foster a culture of ownership.", "Keep the documentation up to date.",
    "Train the team on incident response.", "Hold regular knowledge-sharing sessions.", "Be proactive about security.",
    "Reduce technical debt.", "Monitor resource usage closely.", "Improve the reliability of the platform.",
    "Make deployments safer.", "Ensure all changes are tested thoroughly.", "Put more safeguards in place.",
    "Refine our on-call process.", "Streamline communication during outages.", "Evaluate new monitoring tools.",
    "Look into better backup strategies.", "Consider adding redundancy.", "Check the servers often.",
    "Review the code more carefully.", "Update dependencies regularly.", "Have a better rollback strategy.",
    "Make sure engineers follow best practices.", "Improve observability", "Harden the infrastructure.",
    "Plan capacity better.", "Respond faster to alerts.", "Investigate further", "Optimize the database",
    "Conduct periodic security audits.", "Strive for zero downtime.", "Prioritize stability over features.",
]

# Actionable tasks not tied to one incident.
ACTIONABLE_GENERIC = [
    "Write a runbook page for restoring the service from the last backup.",
    "Add a rollback button to the deploy dashboard.",
    "Set up PagerDuty escalation to the secondary on-call after 10 minutes.",
    "Publish status page updates every 30 minutes during an incident.",
    "Require a second reviewer before merging changes to production config.",
    "Add the incident to the on-call training deck with the exact commands used.",
    "Create a dashboard with error rate, latency and saturation for the service.",
    "Run a one-hour session for the on-call rota on reading Apache error logs.",
    "Restrict write access on production config files to the deploy user.",
    "Remove root SSH login on all production hosts.",
    "Tag every production deploy in Grafana so graphs show release times.",
    "Add a CI job that runs nginx -t on every change under /etc/nginx.",
    "Create a Grafana alert on p95 latency above 1 s for the checkout API.",
    "Write an Ansible task that sets AllowOverride None on all wiki hosts.",
    "Delete the unused admin account on the database host.",
    "Schedule a game day on 12 June to rehearse the database failover.",
    "Document the restart order of the services in the on-call runbook.",
    "Configure log rotation for /var/log/app with a 7-day retention.",
    "Migrate the cron jobs from web-01 to the shared scheduler.",
    "Set the connection pool size of the API to 50 and alert at 80% usage.",
    "Replace the self-signed certificate on the staging load balancer.",
    "Rotate the database password that was printed in the incident channel.",
    "Pin the base Docker image to a digest in every Dockerfile.",
    "Enable slow query logging for queries above 500 ms on the primary.",
    "Add a readiness probe to the worker deployment.",
    "Install the Datadog agent on the two hosts that were missing it.",
    "Set up a weekly restore test of the MySQL backup into staging.",
    "Alerting on p99 latency above 800 ms for the checkout API.",
    "A required second approval for merges to the main branch.",
    "A status page template for payment outages.",
    "One 45-minute session for the support team on the new escalation path.",
    "Synthetic login checks from two regions every minute.",
    "Read-only permissions for the deploy user on /etc/nginx.",
    "An automated rollback when the error rate passes 5% after a deploy.",
]

# Compositional tasks: a verb with a concrete object is actionable; the same verbs with a
# generic object are not (the realistic "Implement robust monitoring" trap).
TASK_VERBS = ["Implement", "Add", "Set up", "Introduce", "Create", "Configure", "Deploy", "Establish", "Build"]
TASK_SPEC_OBJECTS = [
    "an alert when Nginx worker memory exceeds 1.5 GB",
    "monitoring of database connection pool usage and wait time, alerting at 80%",
    "automated tests that run nginx -t on every configuration change in CI",
    "a canary stage that sends 5% of traffic to a new release for 30 minutes",
    "a pre-deploy check that compares haproxy.cfg with the list of live backends",
    "a dashboard with 5xx rate, p95 latency and queue depth for the checkout API",
    "automatic certificate renewal with certbot and a reload hook for Nginx",
    "log rotation for /var/log/nginx keeping 7 days of compressed logs",
    "a rate limit of 100 requests per minute per API key on /login",
    "a weekly restore test of the PostgreSQL backup into staging",
    "health checks on /healthz for every backend in the load balancer pool",
    "a MySQL replica in a second availability zone with automatic failover",
    "disk usage alerts at 80% and 90% on all database hosts",
    "an automatic rollback when the error rate passes 5% within 10 minutes of a deploy",
    "a CI job that fails when requirements.txt contains an unpinned package",
    "a synthetic check that logs in with a test account every minute",
    "a dead-letter queue for messages that fail three times",
    "an Ansible role that owns every file under /etc/nginx/conf.d",
    "an alert on certificate expiry 14 days ahead for every public hostname",
    "a staging run of each database migration on last night's production snapshot",
    "memory limits of 512 MB for every container in the worker deployment",
    "a lock on the nightly export cron job with flock",
    "a status page component for the payment API",
    "read-only permissions for the deploy user on /etc/nginx",
    "an uptime check on port 443 for the public website from two regions",
    "a monitor on the replication lag of the MySQL replica, paging above 60 s",
]
TASK_GENERIC_OBJECTS = [
    "robust monitoring", "proactive monitoring to detect issues early", "stricter CI/CD validation",
    "automated scaling mechanisms", "more comprehensive testing", "better error handling",
    "a culture of continuous improvement", "best practices for configuration management",
    "regular incident response drills", "enhanced security measures", "improved logging",
    "a more resilient architecture", "redundancy where needed", "regular code reviews",
    "ongoing training for the team", "more thorough checks before deployments",
    "a better communication plan", "advanced monitoring tools", "continuous monitoring of all systems",
    "automated testing to catch issues", "measures to prevent similar incidents",
    "an improved deployment strategy", "additional safeguards", "periodic audits of configurations",
    "stronger access controls", "comprehensive documentation", "a robust backup strategy",
    "performance optimizations", "a more efficient incident response process",
]
TASK_GENERIC_SUFFIX = ["", "", " to prevent future outages", " to ensure system stability", " across all services",
                       " to catch issues before they impact users", " for better reliability"]
TASK_PREFIX = ["", "", "", "", "Monitoring: ", "Testing: ", "Short-term: ", "Long-term: ", "Prevention: "]
TASK_PLAYFUL = ["Watch the memory graphs day and night.", "Treat every config file like a sleeping dragon.",
                "Keep our servers happy and well-fed.", "Never deploy on a Friday again!",
                "Give the load balancer some love.", "Make the database great again."]
TASK_DONE_SPEC = ["We added {o}.", "{O} was added.", "We have set up {o}."]
TASK_DONE_GENERIC = ["We have improved our processes.", "We have strengthened our monitoring.",
                     "Our testing practices were enhanced.", "We have reinforced our deployment procedures."]


def compose_task(rng: random.Random, actionable: bool) -> str:
    """One corrective task in a common real-world shape, actionable or not by construction."""
    if rng.random() < 0.35:
        return compose_mid_task(rng, actionable)
    if actionable:
        o = rng.choice(TASK_SPEC_OBJECTS)
        if rng.random() < 0.15:
            form = rng.choice(TASK_DONE_SPEC)
            return form.replace("{o}", o).replace("{O}", o[0].upper() + o[1:])
        return rng.choice(TASK_PREFIX) + f"{rng.choice(TASK_VERBS)} {o}."
    r = rng.random()
    if r < 0.08:
        return rng.choice(TASK_PLAYFUL)
    if r < 0.16:
        return rng.choice(TASK_DONE_GENERIC)
    return rng.choice(TASK_PREFIX) + f"{rng.choice(TASK_VERBS)} {rng.choice(TASK_GENERIC_OBJECTS)}{rng.choice(TASK_GENERIC_SUFFIX)}."


# Middle tier seen in real files: a broad verb on a *named* component or metric is actionable
# ("Set up alerts for message queue depth"); a broad verb on a broad
# object, an "Ensure ..." wish or a general activity is not.
TASK_COMPONENTS = [("load balancer", "healthy backend count"), ("Nginx", "worker memory"),
                   ("database connection pool", "utilisation"), ("firewall", "rule changes"),
                   ("MySQL replica", "replication lag"), ("Redis", "memory usage"),
                   ("certificate", "days to expiry"), ("disk", "usage on /var"),
                   ("API gateway", "5xx rate"), ("message queue", "depth"), ("cron job", "last success time")]
TASK_MID_SPEC = ["{V} automated CI checks of the {c} configuration.", "{V} monitoring for {c} {m} to detect similar issues.",
                 "Set up alerts for {c} {m}.", "Add monitoring for {c} {m}.", "Enhance alerting for {c} {m} to prevent future outages.",
                 "Document the {c} recovery steps in the runbook.", "Add {c} {m} to the on-call dashboard."]
TASK_MID_GENERIC = ["Test the application before deploying.", "Test before deploying to all servers.",
                    "Ensure proper user permissions are set on all servers.", "Ensure that all changes are tested.",
                    "Make sure the configuration is correct before restarting.",
                    "Run more stress tests so we understand how the platform copes with busy days.",
                    "Update the config documentation with extra safety checks.",
                    "Ensure that the {c} is properly configured.", "Watch the {c} carefully.",
                    "Monitor the {c} closely.", "Review the {c} settings regularly.", "Be careful when changing the {c}."]


def compose_mid_task(rng: random.Random, actionable: bool) -> str:
    c, m = rng.choice(TASK_COMPONENTS)
    t = rng.choice(TASK_MID_SPEC if actionable else TASK_MID_GENERIC)
    return t.replace("{V}", rng.choice(["Implement", "Introduce", "Set up"])).replace("{c}", c).replace("{m}", m)


OWNERS_PEOPLE = ["Amina", "J. Okafor", "Lena", "Carlos", "Priya", "Tomasz", "Wanjiru", "Kofi"]
DEADLINES = ["by 2024-04-12", "due April 30", "by end of next sprint", "before the next release",
             "this week", "by Friday", "Q3", "by 15 May"]
DEADLINES_DUR = ["within {D:two weeks}", "within {D:30 days}", "in the next {D:2 weeks}"]

TIMEZONES = ["UTC", "GMT", "EAT", "WAT", "GMT+1", "PST", "EST", "CET", "IST", "UTC+3", "CAT", "EDT"]

DETECTION = {
    "monitoring": ["Monitoring alert fired for the error rate of the @SVC.",
                   "Datadog paged the @TEAM about a spike in 5xx responses.",
                   "An uptime check reported the @SVC as down.",
                   "Our Prometheus alert on latency went off and the @TEAM was paged.",
                   "Automated monitoring detected a spike in failures on the @SVC.",
                   "Grafana alert: error rate of the @SVC above threshold; the @TEAM was notified.",
                   "PagerDuty woke up the @TEAM with a latency alert for the @SVC.",
                   "A health check failure on the @SVC triggered an alert."],
    "customer": ["A customer complained on Twitter that the @SVC was down.",
                 "Support received the first tickets from users who could not use the @SVC.",
                 "Several customers emailed that the @SVC was not working.",
                 "A client called the help desk about errors on the @SVC.",
                 "Users started posting screenshots of errors from the @SVC in the community forum.",
                 "The {T:sales team} forwarded complaints from two large customers about the @SVC."],
    "engineer": ["An engineer noticed errors while testing the @SVC.",
                 "The @TEAM noticed the @SVC was slow while working on another ticket.",
                 "I noticed that the @SVC was not loading when I opened it.",
                 "A {T:developer} saw errors from the @SVC in the logs during a code review."],
    "other": ["A security researcher emailed us about strange behaviour of the @SVC.",
              "A partner company reported that their integration with the @SVC was failing."],
}

INVESTIGATE = ["The @TEAM started investigating and checked the logs of the @SVC.",
               "Checked recent deploys and configuration changes.",
               "Reviewed the dashboards and error logs.",
               "Ran curl against the @SVC and saw the errors.",
               "Compared the current configuration with the last known good one.",
               "Looked at CPU, memory and disk graphs of the hosts.",
               "Checked the service status with systemctl and read the journal.",
               "Tried to reproduce the problem in staging, without success.",
               "Grepped the application logs for the first error of the day."]
ESCALATE = ["Escalated the incident to the @TEAM2.", "We escalated: the @TEAM2 and the engineering manager joined the call.",
            "Paged the @TEAM2 for help.", "Brought in the @TEAM2."]
RECOVER = ["Service fully restored; error rate back to normal.", "The @SVC was back online and fully operational.",
           "All checks green, incident closed.", "Traffic back to normal levels.",
           "Monitoring confirmed recovery; incident resolved.", "Users confirmed that the @SVC worked again."]

LESSONS = [
    "What went well: the rollback took less than five minutes once we decided to do it.",
    "What went wrong: nobody was paged for the first part of the outage.",
    "We learned that our staging environment differs from production in ways we did not know.",
    "The runbook was out of date, which slowed us down.",
    "Communication with support worked well: they had a status update every half hour.",
    "We spent too long on the wrong hypothesis before looking at the recent changes.",
]
BLAME_SENTENCES = [
    "Honestly, this came down to our junior engineer being careless with the change.",
    "The intern carelessly pushed the change without asking anyone.",
    "This was human error by the engineer on duty, who did not follow the checklist.",
    "I mistakenly skipped the review step because I was in a hurry.",
    "Our new team member was negligent and did not test before deploying.",
]
FILLER = [
    "It was a long night for everyone involved.", "This project taught me a lot about debugging.",
    "Failure is a chance to learn, and we took it.", "In the end, everything worked out fine.",
    "Thanks to everyone who helped.", "We are committed to giving our users the best experience possible.",
    "Coffee was consumed in large amounts.", "We all know that systems fail sometimes.",
    "This write-up explains the outage from start to finish.",
    "Any software system will fail at some point; what matters is how we learn from it.",
    "This document follows the blameless postmortem format: we look at systems, not people.",
    "If you have questions about this report, reach out in the #incidents channel.",
    "We know how much our users rely on us, and we are sorry for the trouble.",
    "Thank you for your patience and your continued trust in us.",
    "Below you will find what happened, why, and what we are doing about it.",
    "This was my first real outage and I will remember it for a long time.",
    "Special thanks to the support staff who kept customers informed all night.",
    "Stay tuned for more updates on our engineering blog.",
    "Written as part of the system engineering track.",
    "This report was reviewed in the weekly operations meeting.",
    "Sincerely, the engineering department.",
    "Grab a cup of tea, this is a long one.",
    "Incidents like this remind us why reliability work matters.",
    "All times below are approximate, reconstructed from chat logs.",
    "Status: resolved. Severity: SEV-2. Author: on-call rotation.",
]
RAMBLE = {
    "summary": ["It was a normal evening and I was about to log off when things started to go wrong.",
                "Honestly, at first nobody believed it was a real outage.",
                "We had just finished a release and everyone was relaxed, which made it worse."],
    "root_cause": ["We went through the logs for quite a long time before we saw it.",
                   "It took us a while to see it, and in hindsight it was obvious.",
                   "This part was the hardest to figure out."],
    "resolution": ["Everyone was relieved when the graphs went back to green.",
                   "After that we watched the dashboards for another hour to be sure."],
}
PROMPT_LINES = [
    "Requirements: the issue summary (the part executives usually read) has to give the outage duration with start and end times, timezone included, the impact and the root cause.",
    "The timeline should be bullet points, time first, one or two sentences each: when and how the problem was detected, what was investigated, the misleading paths, who it was escalated to, and how it was resolved.",
    "Root cause and resolution: explain in detail what caused the issue and how it was fixed.",
    "Corrective and preventative measures: the broad areas to get better at, followed by concrete tasks written like TODO items (for example: patch the proxy, add memory monitoring).",
]
PROMPT_HEADINGS = {
    "summary": "Issue Summary (this is what executives will read)",
    "timeline": "Timeline (bullet points, time first, 1 or 2 sentences each)",
    "root_cause": "Root cause and resolution (explain in detail)",
    "corrective": "Corrective and preventative measures (tasks, specific like a TODO)",
}

HEADINGS = {
    "student": {"summary": ["Issue Summary", "Issue summary", "Summary"], "impact": ["Impact"],
                "timeline": ["Timeline"], "root_cause": ["Root Cause", "Root cause and resolution", "Root Cause and Resolution"],
                "resolution": ["Resolution", "Resolution and recovery"],
                "corrective": ["Corrective and Preventative Measures", "Corrective and preventative measures", "Corrective Measures"],
                "lessons": ["Lessons Learned"]},
    "pro": {"summary": ["Incident Summary", "Overview", "Executive summary"], "impact": ["Impact", "Customer impact"],
            "timeline": ["Timeline", "Incident timeline", "Timeline of events"], "root_cause": ["Root Cause", "Root cause analysis", "Cause"],
            "resolution": ["Resolution", "Mitigation and recovery", "Remediation"],
            "corrective": ["Action Items", "Follow-up actions", "Preventive measures"],
            "lessons": ["Lessons Learned", "What went well / what went wrong"]},
}
TITLES = ["Postmortem", "Post-mortem", "Incident report", "Unit 7 postmortem", "Outage postmortem",
          "Incident Report: @SVC outage", "Post Mortem: @SVC down", "Web stack outage postmortem"]

NON_PM = [
    "https://medium.com/@someone/my-first-postmortem-5f3a1c",
    "# Postmortem\n\nTODO: write the postmortem\n",
    "# Unit 7: Postmortem\n\nComing soon.\n",
    "See my blog post: https://dev.to/student/outage-report-2b1k\n",
    "# ops-unit-7\n\n## Exercises\n\nA. Incident write-up (required)\nB. Add a diagram to your write-up (bonus)\n",
    "# ops-track-projects\n\nMy course work for the operations track: shell scripting, file permissions, SSH keys, reverse proxies, load balancing and so on.\n",
    "postmortem\n",
    "# Project: Postmortem\n\n- [ ] Write issue summary\n- [ ] Write timeline\n- [ ] Root cause\n- [ ] Fixes\n",
    "Placeholder. The real file is on Google Docs.\n",
    "# README\n\nTo run the project: `./0-setup_web_static.sh`. Tested on Ubuntu 20.04. Author: a student.\n",
    "![postmortem](https://i.imgur.com/x7Yb2aQ.png)\n",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Sed do eiusmod tempor.\n",
    "## Postmortem\n\n(to be completed after the review)\n",
    "TODO write postmortem\n",
    "# Resources\n\n- What is a postmortem\n- How to write a good incident report\n- The importance of root cause analysis\n",
    "# Northbridge ops course - unit 7 write-up\n\nFile | Description\n---- | -----------\nREADME.md | the write-up\n",
    "# Notes\n\nnginx restart command: sudo service nginx restart\ncheck config: sudo nginx -t\n",
    "Link to my postmortem article: https://www.linkedin.com/pulse/postmortem-student-abc\n",
]
NON_PM_PROMPT = [
    "# Unit 7. Postmortem\n\nPick an outage from one of your unit 5 lab servers and write it up as a postmortem. The issue summary (the part executives usually read) has to give the outage duration with start and end times, timezone included, the impact and the root cause. Keep timeline entries to one or two sentences each.\n",
    "## Requirements\n\n1. Issue summary: duration with start and end times (include the timezone), impact, root cause.\n2. Timeline as bullet points: detection, actions, misleading paths, escalation, resolution.\n3. Root cause and resolution, explained in detail.\n4. Corrective and preventative measures: a list of tasks as specific as a TODO.\n",
]


# --------------------------------------------------------------------------------------------
# Rendering with marks
# --------------------------------------------------------------------------------------------

@dataclass
class Piece:
    text: str
    ents: list[tuple[str, str]] = field(default_factory=list)
    vps: list[str] = field(default_factory=list)


class Transform:
    """Per-document style noise applied to plain text between marks (never to marked spans)."""

    def __init__(self, rng: random.Random, typos: float, nonnative: bool) -> None:
        self.rng, self.typos, self.nonnative = rng, typos, nonnative

    def __call__(self, s: str) -> str:
        if self.nonnative:
            s = re.sub(r"\bthe (?=[a-z])", lambda m: "" if self.rng.random() < 0.25 else m.group(0), s)
            s = re.sub(r"\bwas\b", lambda m: "has been" if self.rng.random() < 0.2 else m.group(0), s)
            s = s.replace("information", "informations").replace(" could not ", " could not able to ")
            s = re.sub(r"\b(users|customers|engineers) were\b", lambda m: m.group(1) + " was" if self.rng.random() < 0.4 else m.group(0), s)
            s = re.sub(r"\bwe (checked|found|restarted|noticed)\b", lambda m: "we " + m.group(1)[:-2].rstrip("e") + ("e" if m.group(1).startswith(("not", "fou")) else "") if self.rng.random() < 0.3 else m.group(0), s)
            s = s.replace(" until ", " till ").replace("an hour", "one hour")
        if self.typos:
            def typo(m: re.Match[str]) -> str:
                w = m.group(0)
                if self.rng.random() >= self.typos:
                    return w
                i = self.rng.randrange(1, len(w) - 2)
                op = self.rng.choice("swap drop dup".split())
                if op == "swap":
                    return w[:i] + w[i + 1] + w[i] + w[i + 2:]
                if op == "drop":
                    return w[:i] + w[i + 1:]
                return w[:i] + w[i] + w[i:]
            s = re.sub(r"\b[a-z]{6,}\b", typo, s)
        return s


def render(frag: str, tf: Transform | None = None) -> Piece:
    out, ents, vps, pos = [], [], [], 0
    for m in MARK.finditer(frag):
        plain = frag[pos:m.start()]
        out.append(tf(plain) if tf else plain)
        k, v = m.group(1), m.group(2)
        if k == "V":
            inner = render(v, None)  # vague phrases may hold a service mark
            out.append(inner.text)
            ents.extend(inner.ents)
            vps.append(inner.text)
        else:
            out.append(v)
            ents.append((KIND[k], v))
        pos = m.end()
    tail = frag[pos:]
    out.append(tf(tail) if tf else tail)
    return Piece("".join(out), ents, vps)


class Builder:
    """Appends pieces in document order; entity lists keep first-appearance order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.ents: dict[str, list[str]] = {k: [] for k in KIND.values()}
        self.blocks: list[tuple[str, str]] = []  # (plain paragraph, section label) for the section set

    def raw(self, s: str) -> None:
        self.parts.append(s)

    def add(self, p: Piece) -> str:
        self.parts.append(p.text)
        for kind, v in p.ents:
            if v not in self.ents[kind]:
                self.ents[kind].append(v)
        return p.text

    @property
    def text(self) -> str:
        return "".join(self.parts)


# --------------------------------------------------------------------------------------------
# Composition
# --------------------------------------------------------------------------------------------

def fmt_time(t: datetime, style: str) -> str:
    if style == "24":
        return t.strftime("%H:%M")
    h = t.hour % 12 or 12
    ap = "AM" if t.hour < 12 else "PM"
    if style == "12l":
        return f"{h}:{t.minute:02d}{ap.lower()}"
    if style == "12s":
        return f"{h}:{t.minute:02d} {ap.lower()}"
    return f"{h}:{t.minute:02d} {ap}"


def flip(ts: str) -> str:
    for a, b in (("AM", "PM"), ("PM", "AM"), ("am", "pm"), ("pm", "am")):
        if ts.endswith(a):
            return ts[: -len(a)] + b
    return ts


def dur_text(minutes: int, rng: random.Random) -> str:
    h, m = divmod(minutes, 60)
    if h and m:
        return rng.choice([f"{h} hour{'s' if h > 1 else ''} and {m} minutes", f"{h}h {m}m"])
    if h:
        words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
        return rng.choice([f"{h} hour{'s' if h > 1 else ''}", f"{words.get(h, h)} hour{'s' if h > 1 else ''}"])
    return f"{m} minutes"


@dataclass
class Plan:
    """The composition facts, drawn first; the text and labels follow from them."""

    inc: dict
    svc: str
    style: str            # student | pro | terse | ramble | nohead | inline | emph | table | bullets | html
    spec: str             # specific | partial | vague | missing
    summary: bool
    impact_q: bool
    impact_sep: bool
    start: bool
    end: bool
    tz: bool
    dur_stated: bool
    rc_in_summary: bool
    timeline: int         # number of entries (0 = no timeline)
    timed_frac: float
    detect: str           # monitoring | customer | engineer | other | none
    mis: bool
    esc: bool
    tl_res: bool
    chrono_break: str     # "" | ampm | backwards | duration
    rc_section: bool
    resolution: bool
    corrective: bool
    n_act: int
    act_ratio: float
    owners: bool
    lessons: bool
    blame: bool
    prompt: str           # "" | block | headings
    typos: float
    nonnative: bool
    filler: int
    timefmt: str


def draw_plan(rng: random.Random, quality: float) -> Plan:
    """quality in [0, 1] biases every choice; the grade is computed afterwards by rule."""
    q = quality
    inc = rng.choice(INCIDENTS)
    chance = lambda p: rng.random() < p  # noqa: E731
    spec = rng.choices(["specific", "partial", "vague", "missing"],
                       weights=[0.05 + 1.5 * q, 1.4, 2.2 - 2.0 * q, 0.8 - 0.7 * q])[0]
    style = rng.choice(["student", "student", "pro", "terse", "ramble", "nohead", "inline", "emph",
                        "table", "bullets", "html"])
    timeline = 0 if not chance(0.35 + 0.65 * q) else rng.randint(3 if q > 0.5 else 2, 6 + int(6 * q))
    start = chance(0.3 + 0.7 * q)
    return Plan(
        inc=inc, svc=rng.choice(inc["svc"]), style=style, spec=spec,
        summary=chance(0.6 + 0.4 * q), impact_q=chance(0.15 + 0.85 * q), impact_sep=chance(0.4),
        start=start, end=start and chance(0.5 + 0.5 * q), tz=chance(0.2 + 0.8 * q),
        dur_stated=chance(0.5), rc_in_summary=spec != "missing" and chance(0.3 + 0.6 * q),
        timeline=timeline, timed_frac=1.0 if chance(0.3 + 0.7 * q) else rng.uniform(0.3, 0.9),
        detect=rng.choices(["monitoring", "customer", "engineer", "other", "none"],
                           weights=[2 + 2 * q, 1.5, 1, 0.3, 2 - 1.9 * q])[0],
        mis=chance(0.2 + 0.6 * q), esc=chance(0.2 + 0.7 * q), tl_res=chance(0.5 + 0.5 * q),
        chrono_break="" if chance(0.3 + 0.45 * q) else rng.choice(["ampm", "backwards", "duration"]),
        rc_section=spec != "missing" and chance(0.7 + 0.3 * q),
        resolution=chance(0.4 + 0.6 * q), corrective=chance(0.5 + 0.5 * q),
        n_act=rng.randint(1, 3 + int(4 * q)), act_ratio=min(1.0, max(0.0, rng.gauss(0.8 * q - 0.05, 0.25))),
        owners=chance(0.05 + 0.5 * q * q), lessons=chance(0.1 + 0.4 * q), blame=chance(0.45 * (1 - q) + 0.03),
        prompt=rng.choices(["", "block", "headings"], weights=[30, 1, 1])[0],
        typos=rng.choice([0, 0, 0, 0.03, 0.07]) if q < 0.7 else rng.choice([0, 0, 0, 0.02]),
        nonnative=chance(0.2), filler=rng.choice([0, 0, 1, 2, 3]) if q < 0.6 else rng.choice([0, 0, 1]),
        timefmt=rng.choice(["24", "12", "12", "12l", "12s"]),
    )


def sub(s: str, plan: Plan, team: str, team2: str) -> str:
    return (s.replace("@SVC", f"{{S:{plan.svc}}}").replace("@TEAM2", f"{{T:{team2}}}")
            .replace("@TEAM", f"{{T:{team}}}"))


def lc_first(s: str) -> str:
    if len(s) > 1 and s[0].isupper() and s[1].islower():
        return s[0].lower() + s[1:]
    return s


def we(s: str) -> str:
    """Give a subject-less timeline step a subject when it becomes part of a sentence."""
    first = s.split(" ", 1)[0].lower()
    if first.endswith("ed") or first in ("ran", "brought", "took", "made", "put", "kept"):
        return "we " + lc_first(s)
    return lc_first(s)


@dataclass
class Composed:
    text: str
    label: dict
    blocks: list[tuple[str, str]]
    facts: dict


def compose(plan: Plan, rng: random.Random, doc_id: str) -> Composed:
    tf = Transform(rng, plan.typos, plan.nonnative)
    b = Builder()
    inc = plan.inc
    team, team2 = rng.sample(TEAMS, 2)
    S = lambda s: sub(s, plan, team, team2)  # noqa: E731
    R = lambda s, t=tf: render(S(s), t)  # noqa: E731
    style = plan.style
    hset = HEADINGS["pro" if style in ("pro", "table") else "student"]
    sections = {k: False for k in ("summary", "impact", "timeline", "root_cause", "resolution",
                                    "corrective_actions", "lessons_learned")}
    consistency: list[str] = []
    # Effective root-cause level: a cause stated nowhere is missing.  Only the first specific
    # statement of an incident has matching specific fix/resolution/summary fragments, so the
    # others get generic ones (the document stays coherent and judged at one level).
    spec_eff = plan.spec
    if spec_eff != "missing" and not (plan.rc_section or plan.rc_in_summary):
        spec_eff = "missing"
    spec_idx = rng.randrange(len(inc["spec"])) if spec_eff == "specific" and plan.rc_section else 0
    reveal = spec_eff == "specific" and spec_idx == 0

    def heading(key: str, level: int = 2) -> None:
        if plan.prompt == "headings" and key in PROMPT_HEADINGS:
            h = PROMPT_HEADINGS[key]
        else:
            h = rng.choice(hset[key])
        if style in ("nohead",):
            return
        if style == "html":
            b.raw(f"<h{level}>{h}</h{level}>\n")
        elif style == "emph":
            b.raw(f"**{h}**\n\n")
        elif style in ("inline", "terse"):
            b.raw(f"{h}:\n")
        elif style in ("student", "ramble") and rng.random() < 0.3:
            b.raw(f"{h}\n\n")
        else:
            b.raw("#" * level + f" {h}\n\n")

    def para(pieces: list[Piece], label: str) -> None:
        texts = [p.text for p in pieces]
        if style == "html":
            b.raw("<p>")
        for i, p in enumerate(pieces):
            if i:
                b.raw(" ")
            b.add(p)
        b.raw("</p>\n" if style == "html" else "\n\n")
        b.blocks.append((" ".join(texts), label))

    # --- times -----------------------------------------------------------------------------
    day = datetime(2024, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 18), rng.choice(range(0, 60, 5)))
    total = rng.choice([10, 15, 25, 40, 45, 60, 90, 105, 120, 150, 180, 240, 300])
    t0, t1 = day, day + timedelta(minutes=total)
    tzs = rng.choice(TIMEZONES)
    ts0, ts1 = fmt_time(t0, plan.timefmt), fmt_time(t1, plan.timefmt)
    date_str = rng.choice([t0.strftime("%B %d, %Y"), t0.strftime("%Y-%m-%d"), t0.strftime("%d/%m/%Y"),
                           t0.strftime("%A %B %d")])
    Ztag = f" {{Z:{tzs}}}" if plan.tz else ""
    dur_str = dur_text(total, rng)
    stated_total = total
    if plan.chrono_break == "duration" and plan.start and plan.end:
        stated_total = total + rng.choice([60, 120, -5 if total > 30 else 60])
        dur_str = dur_text(stated_total, rng)

    # --- title / prompt -----------------------------------------------------------------------
    if rng.random() < 0.7 and style != "nohead":
        title = render(S(rng.choice(TITLES)))
        if style == "html":
            b.raw("<h1>"); b.add(title); b.raw("</h1>\n")
        elif style in ("terse", "inline") and rng.random() < 0.5:
            b.add(title); b.raw("\n\n")
        else:
            b.raw("# "); b.add(title); b.raw("\n\n")
    prompt_pasted = bool(plan.prompt)
    if plan.prompt == "block":
        lines = rng.sample(PROMPT_LINES, rng.randint(2, 4))
        para([render(l) for l in lines], "other")
    for _ in range(plan.filler // 2):
        para([render(rng.choice(FILLER))], "other")

    # --- summary -------------------------------------------------------------------------------
    summary_rc: Piece | None = None
    summary_facts = dict(duration=False, start_time=False, end_time=False, timezone=False,
                         impact_quantified=False, root_cause_stated=False)
    pct = rng.choice(["100%", "40%", "65%", "30%", "85%", "12%", "about 50%", "75%", "20 percent"])
    users = rng.choice(["60,000", "1,200", "about 3,000", "8,500", "250"])
    pct_core = pct.replace("about ", "")
    impact_q_frag = rng.choice([
        f"{{P:{pct_core}}} of users of the @SVC were affected.",
        f"Around {{P:{pct_core}}} of requests failed during the incident.",
        f"About {users} customers could not use the @SVC, roughly {{P:{pct_core}}} of daily users.",
        f"The error rate reached {{P:{pct_core}}} and an estimated {users} users saw failures.",
        f"{users[0].upper() + users[1:]} users were affected and we lost an estimated $12,000 in orders.",
        f"Roughly {{P:{pct_core}}} of API calls returned errors, and about {users} sessions were interrupted.",
        f"{{P:{pct_core}}} of the traffic was lost during the outage.",
        f"Support received {rng.randint(20, 400)} tickets, and about {{P:{pct_core}}} of active users could not work.",
    ])
    impact_u_frag = rng.choice([
        "Users could not use the @SVC and many of them complained.",
        "A lot of users were affected and could not complete their work.",
        "Customers experienced errors and slow pages on the @SVC.",
        "All users were affected.", "The impact on users was significant.",
        "Everyone who tried to use the @SVC saw an error page.", "Some customers were unhappy and wrote to support.",
        "The business was heavily impacted.", "Users experienced slowness and errors for the whole period.",
    ])
    impact_frag = impact_q_frag if plan.impact_q else impact_u_frag
    if plan.summary:
        heading("summary")
        if spec_eff == "specific" and spec_idx < len(inc["what"]):
            what = inc["what"][spec_idx]
        elif spec_eff in ("specific", "partial") and rng.random() < 0.6:
            what = inc["what"][0]
        else:
            what = rng.choice(SYMPTOMS)
        pieces = [R(what)]
        if plan.start:
            if plan.end:
                form = rng.choice([
                    f"The outage lasted from {{C:{ts0}}}{Ztag} to {{C:{ts1}}}{Ztag} on {date_str}.",
                    f"On {date_str}, from {{C:{ts0}}} to {{C:{ts1}}}{Ztag}, the service was degraded.",
                    f"It started at {{C:{ts0}}}{Ztag} and was resolved at {{C:{ts1}}}{Ztag}.",
                    f"Start: {date_str} {{C:{ts0}}}{Ztag}. End: {{C:{ts1}}}{Ztag}.",
                    f"Between {{C:{ts0}}} and {{C:{ts1}}}{Ztag} on {date_str} the service was unavailable.",
                    f"The incident began on {date_str} at {{C:{ts0}}}{Ztag}; full service was restored at {{C:{ts1}}}{Ztag}.",
                ])
                summary_facts.update(start_time=True, end_time=True, duration=True, timezone=plan.tz)
                if plan.dur_stated or plan.chrono_break == "duration":
                    form += f" In total the outage lasted {{D:{dur_str}}}."
                    if stated_total != total:
                        consistency.append(f"summary states a duration of {dur_str} but {ts0} to {ts1} is {dur_text(total, random.Random(0))}")
            else:
                form = rng.choice([f"The problem began at {{C:{ts0}}}{Ztag} on {date_str}.",
                                   f"Start of the incident: {date_str} {{C:{ts0}}}{Ztag}."])
                summary_facts.update(start_time=True, timezone=plan.tz)
                if plan.dur_stated:
                    form += f" It lasted about {{D:{dur_str}}}."
                    summary_facts["duration"] = True
            pieces.append(R(form))
        elif plan.dur_stated:
            pieces.append(R(f"The outage lasted {{D:{dur_str}}}."))
            summary_facts["duration"] = True
        if not plan.impact_sep:
            pieces.append(R(impact_frag))
            sections["impact"] = True
            summary_facts["impact_quantified"] = plan.impact_q
        if plan.rc_in_summary:
            lvl = spec_eff
            if plan.rc_section and (rng.random() < 0.3 or spec_idx != 0):
                lvl = {"specific": "partial", "partial": "vague", "vague": "vague"}[spec_eff]
            short = inc["short"][lvl] if lvl != "specific" else inc["short"][lvl]
            sfrag = short if lvl == "specific" else f"{{V:{short}}}"
            summary_rc = R(rng.choice([f"The root cause was {sfrag}.", f"It was caused by {sfrag}.",
                                       f"Root cause: {sfrag}."]))
            pieces.append(summary_rc)
            summary_facts["root_cause_stated"] = True
        if style == "ramble":
            pieces.insert(rng.randint(0, 1), render(rng.choice(RAMBLE["summary"]), tf))
        para(pieces, "summary")
        sections["summary"] = True
        if plan.impact_sep:
            heading("impact")
            para([R(impact_frag)], "impact")
            sections["impact"] = True
            summary_facts["impact_quantified"] = plan.impact_q
    for _ in range(plan.filler - plan.filler // 2):
        para([render(rng.choice(FILLER), tf)], "other")

    # --- timeline ------------------------------------------------------------------------------
    tl = {"entries_with_time": 0, "detection": False, "detection_method": "none", "misleading_paths": False,
          "escalation": False, "resolution": False, "chronological": True}
    if plan.timeline:
        events: list[str] = []
        if plan.detect != "none":
            events.append(rng.choice(DETECTION[plan.detect]))
        events.append(rng.choice(INVESTIGATE))
        if plan.mis:
            events.append(rng.choice(inc["mis"]))
        extra = [e for e in INVESTIGATE + GENERIC_STEPS if e not in events]
        rng.shuffle(extra)
        while len(events) < plan.timeline - 2 and extra:
            events.append(extra.pop())
        if plan.esc:
            events.append(rng.choice(ESCALATE))
        if plan.tl_res:
            events.append(rng.choice(inc["fix_spec"] if reveal and rng.random() < 0.6
                                     else inc["fix_gen"] if spec_eff in ("specific", "partial") else FIX_VAGUE))
            events.append(rng.choice(RECOVER))
        n = len(events)
        # times: first at t0, last at t1 when resolved, strictly increasing
        if n > 1:
            cuts = sorted(rng.sample(range(1, max(total, n)), n - 2)) if total >= n else list(range(1, n - 1))
            offs = [0] + cuts + [total if plan.tl_res else min(total, cuts[-1] + 5 if cuts else 5)]
        else:
            offs = [0]
        times = [fmt_time(t0 + timedelta(minutes=o), plan.timefmt) for o in offs]
        timed = [i == 0 or i == n - 1 or rng.random() < plan.timed_frac for i in range(n)]
        broke = False
        if plan.chrono_break == "ampm" and plan.timefmt != "24" and n >= 3:
            i = rng.randrange(1, n)
            timed[i] = True
            new = flip(times[i])
            consistency.append(f"timeline goes {times[i - 1]} -> {new} for events minutes apart (AM/PM slip)")
            times[i] = new
            broke = True
        elif plan.chrono_break in ("backwards", "ampm") and n >= 3:
            i = rng.randrange(1, n - 1)
            timed[i] = timed[i + 1] = True
            back = fmt_time(t0 + timedelta(minutes=offs[i + 1] + rng.randint(3, 15)), plan.timefmt)
            if back != times[i + 1]:
                consistency.append(f"timestamps go backwards: {back} is followed by {times[i + 1]}")
                times[i] = back
                broke = True
        if plan.chrono_break == "duration" and stated_total != total and summary_facts["duration"] and plan.start and plan.end:
            broke = True
        elif plan.chrono_break == "duration":
            pass
        heading("timeline")
        tz_head = plan.tz and rng.random() < 0.3 and style not in ("nohead",)
        if tz_head and style != "html":
            # timezone given once for the whole timeline
            b.parts[-1] = b.parts[-1]  # heading already written; add a note line
            b.add(render(f"All times {{Z:{tzs}}}.\n\n"))
        if style == "table":
            b.raw("| Time | Event |\n|------|-------|\n")
        if style == "html":
            b.raw("<ul>\n")
        bullet = rng.choice(["- ", "* ", "", "- "]) if style != "bullets" else "- "
        sep = rng.choice([" - ", ": ", " ", " — "])
        for i, (ev, t) in enumerate(zip(events, times)):
            evp_frag = S(ev)
            tfrag = f"{{C:{t}}}" + (f" {{Z:{tzs}}}" if plan.tz and not tz_head and rng.random() < 0.8 else "")
            if style == "table":
                b.raw("| "); 
                if timed[i]:
                    b.add(render(tfrag))
                b.raw(" | "); p = b.add(render(evp_frag, tf)); b.raw(" |\n")
            elif style == "html":
                b.raw("<li>")
                if timed[i]:
                    b.add(render(tfrag)); b.raw(" - ")
                b.add(render(evp_frag, tf)); b.raw("</li>\n")
            elif style == "nohead":
                if timed[i]:
                    b.add(render(f"At {tfrag}, " + we(evp_frag), tf))
                else:
                    b.add(render(rng.choice(["Then ", "After that, ", "Later, "]) + we(evp_frag), tf))
                b.raw(" " if i < n - 1 else "\n\n")
            else:
                b.raw(bullet)
                if timed[i]:
                    if style == "emph":
                        b.raw("**"); b.add(render(tfrag)); b.raw("**")
                    else:
                        b.add(render(tfrag))
                    b.raw(sep)
                b.add(render(evp_frag, tf)); b.raw("\n")
            b.blocks.append(((render(tfrag).text + " " if timed[i] else "") + render(evp_frag).text, "timeline"))
        if style == "html":
            b.raw("</ul>\n")
        elif style != "nohead":
            b.raw("\n")
        tl.update(entries_with_time=sum(timed), detection=plan.detect != "none", detection_method=plan.detect,
                  misleading_paths=plan.mis, escalation=plan.esc, resolution=plan.tl_res, chronological=not broke)
        sections["timeline"] = True
    if not tl["chronological"] is False and consistency and not (plan.chrono_break == "duration"):
        pass
    if plan.chrono_break == "duration" and consistency:
        tl["chronological"] = False

    # --- root cause ----------------------------------------------------------------------------
    rc_text, vps = "", []
    rc_blame = False
    if spec_eff != "missing":
        if spec_eff == "specific":
            frag = inc["spec"][spec_idx]
        elif spec_eff == "partial":
            frag = rng.choice(inc["part"])
        else:
            frag = rng.choice(VAGUE_RC + [inc["part"][0].replace("{V:", "").replace("}", "")] * 0)
            rc_blame = frag in VAGUE_BLAME
        if plan.rc_section:
            heading("root_cause")
            lead = rng.choice(["", "", "After investigation, we found the cause. ", "So what happened? "]) if style in ("ramble", "student") else ""
            pieces = []
            if lead:
                pieces.append(render(lead.strip(), tf))
            rcp = R(frag)
            if style == "ramble" and not lead:
                pieces.append(render(rng.choice(RAMBLE["root_cause"]), tf))
            pieces.append(rcp)
            para(pieces, "root_cause")
            rc_text, vps = rcp.text, rcp.vps
            sections["root_cause"] = True
        elif summary_rc is not None:
            # the only statement is the summary one (at exactly plan.spec level)
            rc_text, vps = summary_rc.text, summary_rc.vps
    spec = spec_eff
    if spec != "missing" and not rc_text:
        spec = "missing"

    # --- resolution ----------------------------------------------------------------------------
    if plan.resolution:
        heading("resolution")
        rp = [R(rng.choice(inc["res_spec"] if reveal else inc["res_gen"] if spec_eff in ("specific", "partial") else RES_VAGUE))]
        if style == "ramble":
            rp.append(render(rng.choice(RAMBLE["resolution"]), tf))
        para(rp, "resolution")
        sections["resolution"] = True

    # --- corrective actions --------------------------------------------------------------------
    items: list[dict] = []
    if plan.corrective:
        heading("corrective")
        if rng.random() < 0.5:
            para([render(rng.choice(["To prevent this from happening again, we will do the following:",
                                     "The following tasks were agreed:", "Next steps:",
                                     "We decided on these measures going forward:"]), tf)], "other")
        good = [S(x) for x in inc["act"]] + [S(x) for x in rng.sample(ACTIONABLE_GENERIC, 2)]
        good += list(dict.fromkeys(compose_task(rng, True) for _ in range(3)))
        nv = [S(x) for x in inc["act_nv"]]
        bad = [S(x) for x in rng.sample(NON_ACTIONABLE, 5)] + list(dict.fromkeys(compose_task(rng, False) for _ in range(4)))
        rng.shuffle(bad)
        chosen: list[tuple[str, bool]] = []
        for k in range(plan.n_act):
            if rng.random() < plan.act_ratio:
                pool = nv if rng.random() < 0.2 and nv else good
                cand = [x for x in pool if x not in [c[0] for c in chosen]]
                if cand:
                    chosen.append((rng.choice(cand), True))
                    continue
            cand = [x for x in bad if x not in [c[0] for c in chosen]]
            chosen.append((cand[0], False))
        as_table = style == "table" or (style == "pro" and plan.owners and rng.random() < 0.5)
        as_para = style in ("nohead", "ramble") and rng.random() < 0.5
        if as_table:
            b.raw("| Task | Owner | Due |\n|---|---|---|\n")
        if style == "html":
            b.raw("<ul>\n")
        para_items: list[Piece] = []
        ibullet = rng.choice(["- ", "* ", "n", "- "]) if style != "bullets" else "- "
        for k, (frag, act) in enumerate(chosen):
            owner = plan.owners and rng.random() < 0.8
            deadline = plan.owners and rng.random() < 0.6
            ofrag = rng.choice([f"{{T:{rng.choice(TEAMS)}}}", rng.choice(OWNERS_PEOPLE)]) if owner else ""
            dfrag = rng.choice(DEADLINES + DEADLINES_DUR) if deadline else ""
            if as_table:
                b.raw("| "); p = b.add(render(frag, tf)); b.raw(" | ")
                if owner:
                    b.add(render(ofrag))
                b.raw(" | ")
                if deadline:
                    b.add(render(dfrag))
                b.raw(" |\n")
                items.append(dict(text=p, actionable=act, owner=owner, deadline=deadline))
                b.blocks.append((p, "corrective_actions"))
                continue
            full = frag
            if owner or deadline:
                extra = ", ".join(x for x in (f"owner: {ofrag}" if owner else "", dfrag) if x)
                full = full.rstrip(".") + f" ({extra})"
                if frag.endswith("."):
                    full += "."
            p = render(full, tf)
            if as_para:
                para_items.append(p)
            elif style == "html":
                b.raw("<li>"); b.add(p); b.raw("</li>\n")
            else:
                b.raw(f"{k + 1}. " if ibullet == "n" else ibullet)
                b.add(p); b.raw("\n")
            items.append(dict(text=p.text, actionable=act, owner=owner, deadline=deadline))
            b.blocks.append((p.text, "corrective_actions"))
        if as_para and para_items:
            para(para_items, "corrective_actions")
            b.blocks.pop()
        if style == "html":
            b.raw("</ul>\n")
        elif not as_para:
            b.raw("\n")
        sections["corrective_actions"] = True

    # --- lessons / blame ---------------------------------------------------------------------
    blame = rc_blame
    if plan.lessons or plan.blame:
        heading("lessons")
        ps = [render(x, tf) for x in rng.sample(LESSONS, rng.randint(1, 2))] if plan.lessons else []
        if plan.blame:
            ps.append(render(rng.choice(BLAME_SENTENCES), tf))
            blame = True
        para(ps, "lessons_learned")
        sections["lessons_learned"] = plan.lessons or len(ps) > 0
    if plan.filler and rng.random() < 0.5:
        para([render(rng.choice(FILLER), tf)], "other")

    text = b.text.rstrip() + "\n"
    b.ents = finalize_entities(text, b.ents)
    label = {
        "id": doc_id, "is_postmortem": True, "sections": sections, "summary": summary_facts,
        "timeline": tl,
        "root_cause": {"text": rc_text, "specificity": spec, "vague_phrases": vps},
        "action_items": items, "entities": b.ents, "blame": blame, "prompt_pasted": prompt_pasted,
        "consistency_issues": consistency if not tl["chronological"] else [],
        "grade": 0, "text": text,
    }
    label["grade"], reasons = grade_of(label)
    return Composed(text, label, b.blocks, {"gaps": reasons, "style": style, "incident": inc["key"]})


SERVICE_LEX = ["Nginx", "nginx", "Apache", "apache2", "MySQL", "PostgreSQL", "Redis", "HAProxy", "Memcached",
               "RabbitMQ", "load balancer", "web server", "database", "API gateway", "mobile app", "MySQL database",
               "PostgreSQL database", "application servers", "app servers", "API servers", "cache cluster", "website",
               "servers", "server"]
TEAM_LEX = TEAMS + ["engineering manager", "support desk", "help desk", "Support", "engineer", "engineers",
                    "intern", "junior engineer", "new team member", "security researcher", "engineer on duty"]
TZ_LEX = TIMEZONES + ["local time"]
NUMW = r"(?:a few|\d+|an?|one|two|three|four|five|six|seven|eight|ten|twelve|fifteen|twenty|thirty|forty|few)"
DUR_RE = re.compile(rf"(?<![\w-])(?:{NUMW}\s(?:seconds?|minutes?|hours?|days?|weeks?)(?:\s(?:and\s)?\d+\s(?:minutes?|seconds?))?|\d+h \d+m)(?![\w-])")
PCT_RE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:%| percent\b)")
TIME_RE = re.compile(r"(?<![\w:])\d{1,2}:\d{2}(?:\s?[AaPp][Mm]\b)?(?!\w|:\d)")


def _bounded(words: list[str]) -> re.Pattern[str]:
    alt = "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
    return re.compile(rf"(?<![\w/.-])(?:{alt})(?![\w/-]|\.\w)")


def finalize_entities(text: str, marked: dict[str, list[str]]) -> dict[str, list[str]]:
    """Entities as the guide wants them: every mention (marked by a fragment or found by the
    lexicons/patterns below), each distinct string once, ordered by first appearance."""
    team_rx = _bounded(TEAM_LEX + marked["teams"])
    team_spans = [(m.start(), m.end()) for m in team_rx.finditer(text)]
    in_team = lambda a, z: any(a < te and z > ts for ts, te in team_spans)  # noqa: E731
    scans = {
        "services": _bounded(SERVICE_LEX + marked["services"]),
        "timezones": _bounded(TZ_LEX + marked["timezones"]),
        "durations": DUR_RE, "percentages": PCT_RE, "times": TIME_RE,
        "teams": team_rx,
    }
    out: dict[str, list[str]] = {}
    for kind, vals in marked.items():
        first: dict[str, int] = {}
        rx = scans.get(kind)
        if rx is not None:
            for m in rx.finditer(text):
                if kind == "services" and in_team(m.start(), m.end()):
                    continue
                first.setdefault(m.group(0), m.start())
        for v in vals:
            if v not in first:
                first[v] = text.find(v)
        out[kind] = [v for v, _ in sorted(first.items(), key=lambda kv: kv[1])]
    return out


# --------------------------------------------------------------------------------------------
# The grade rule (documented in corpus/README.md)
# --------------------------------------------------------------------------------------------

MAIN = ("summary", "timeline", "root_cause", "resolution", "corrective_actions")


def grade_of(lab: dict) -> tuple[int, list[str]]:
    """Grade 1-5 from the labelled facts: count gaps, then apply caps.

    Gaps: a missing main section (summary, timeline, root cause, resolution, corrective actions)
    2 each, missing impact 1; partial root cause 1; impact not quantified 1; no start or end time
    1; no timezone 1; fewer than 4 timed timeline entries 1; no detection method 1; not
    chronological 1; no action items 2, under a third actionable 2, under two thirds 1; blame 1;
    assignment text pasted 1.
    Grade by gaps: 0 -> 5, 1-2 -> 4, 3-5 -> 3, 6-8 -> 2, 9+ -> 1.
    Caps: partial -> 4, vague -> 2, missing root cause -> 2 (1 when 6+ gaps), two or fewer
    sections -> 1.
    """
    if not lab["is_postmortem"]:
        return 1, ["not a postmortem"]
    g: list[str] = []
    s, sm, tl = lab["sections"], lab["summary"], lab["timeline"]
    for k in MAIN:
        if not s[k]:
            g += [f"no {k}"] * 2
    if not s["impact"]:
        g.append("no impact")
    spec = lab["root_cause"]["specificity"]
    if spec == "partial":
        g.append("partial root cause")
    if not sm["impact_quantified"]:
        g.append("impact not quantified")
    if not (sm["start_time"] and sm["end_time"]):
        g.append("no start/end")
    if not sm["timezone"]:
        g.append("no timezone")
    if tl["entries_with_time"] < 4:
        g.append("short timeline")
    if tl["detection_method"] == "none":
        g.append("no detection method")
    if not tl["chronological"]:
        g.append("not chronological")
    items = lab["action_items"]
    if not items:
        g += ["no action items"] * 2
    else:
        r = sum(i["actionable"] for i in items) / len(items)
        if r < 1 / 3:
            g += ["few actionable tasks"] * 2
        elif r < 2 / 3:
            g.append("some tasks not actionable")
    if lab["blame"]:
        g.append("blame")
    if lab["prompt_pasted"]:
        g.append("assignment text pasted")
    n = len(g)
    grade = 5 if n == 0 else 4 if n <= 2 else 3 if n <= 5 else 2 if n <= 8 else 1
    if spec == "partial":
        grade = min(grade, 4)
    if spec == "vague":
        grade = min(grade, 2)
    if spec == "missing":
        grade = min(grade, 1 if n >= 6 else 2)
    if sum(s.values()) <= 2:
        grade = 1
    return grade, g


def empty_label(doc_id: str, text: str, prompt: bool) -> dict:
    return {
        "id": doc_id, "is_postmortem": False,
        "sections": {k: False for k in ("summary", "impact", "timeline", "root_cause", "resolution",
                                         "corrective_actions", "lessons_learned")},
        "summary": {k: False for k in ("duration", "start_time", "end_time", "timezone",
                                        "impact_quantified", "root_cause_stated")},
        "timeline": {"entries_with_time": 0, "detection": False, "detection_method": "none",
                     "misleading_paths": False, "escalation": False, "resolution": False, "chronological": True},
        "root_cause": {"text": "", "specificity": "missing", "vague_phrases": []},
        "action_items": [], "entities": {k: [] for k in KIND.values()}, "blame": False,
        "prompt_pasted": prompt, "consistency_issues": [], "grade": 1, "text": text,
    }


# --------------------------------------------------------------------------------------------
# Sentence-level sets
# --------------------------------------------------------------------------------------------

MISSING_RC = [
    "We are still investigating what caused the outage.", "The site was down for two hours.",
    "The team worked hard to restore the service.", "Users were unable to log in during the incident.",
    "The cause is not known yet.", "We restarted the server and it worked again.",
    "The issue was resolved at 11:20 AM.", "Everything is back to normal now.",
    "An alert reached the on-call phone at 14:05.", "We apologise for the inconvenience.",
    "Further analysis is ongoing.", "The incident lasted 45 minutes and affected 30% of users.",
    "The on-call engineer was paged at 02:10 and acknowledged within five minutes.",
    "We rolled back the release and the error rate returned to normal.",
    "Customers reported the problem on Twitter first.", "The root cause section will be added later.",
    "Root cause: TBD", "Root cause: unknown at this time.", "N/A", "See the timeline above.",
    "The team escalated the issue to the database administrators.",
    "Around 2,000 orders could not be completed.", "The outage started at 9:45 PM EST.",
    "After the fix, we monitored the system for an hour.", "We will publish a full analysis next week.",
    "Services were restored at 16:30 UTC.", "All systems are operational.",
    "Our engineers are looking into it.", "Thanks to the quick response of the SRE team, the impact was limited.",
]


def sentence_sets(rng: random.Random) -> tuple[list[dict], list[dict]]:
    rcs: dict[str, str] = {}
    for inc in INCIDENTS:
        for svc in inc["svc"]:
            plan_stub = type("P", (), {"svc": svc})
            for lvl, key in (("specific", "spec"), ("partial", "part")):
                for f in inc[key]:
                    rcs.setdefault(render(f.replace("@SVC", f"{{S:{svc}}}")).text, lvl)
            for lvl, s in inc["short"].items():
                rcs.setdefault(f"The root cause was {s}.", lvl)
                rcs.setdefault(f"It was caused by {s.replace(svc, svc)}.", lvl)
    for f in VAGUE_RC:
        rcs.setdefault(render(f).text, "vague")
        for k in range(3):
            tf = Transform(rng, 0.08, rng.random() < 0.5)
            rcs.setdefault(render(f, tf).text, "vague")
    for s in MISSING_RC:
        rcs.setdefault(s, "missing")
    # noisy copies of specific/partial ones so the classifier sees typos too
    base = list(rcs.items())
    for text, lvl in base:
        if lvl in ("specific", "partial") and rng.random() < 0.4:
            tf = Transform(rng, 0.06, rng.random() < 0.4)
            rcs.setdefault(tf(text), lvl)
    root_causes = [{"text": t, "specificity": l} for t, l in rcs.items()]

    acts: dict[str, bool] = {}
    for inc in INCIDENTS:
        for svc in inc["svc"]:
            for f in inc["act"] + inc["act_nv"]:
                acts.setdefault(render(f.replace("@SVC", f"{{S:{svc}}}")).text, True)
    for f in ACTIONABLE_GENERIC:
        acts.setdefault(f, True)
    for f in NON_ACTIONABLE:
        acts.setdefault(f, False)
        for k in range(4):
            tf = Transform(rng, 0.1, rng.random() < 0.5)
            v = tf(f)
            v = rng.choice([v, v.lower(), v.rstrip("."), "We will " + lc_first(v), "- " + v][:4])
            acts.setdefault(v, False)
    for (t, a) in list(acts.items()):
        if a and rng.random() < 0.3:
            tf = Transform(rng, 0.05, False)
            acts.setdefault(tf(t), True)
            owner = rng.choice(TEAMS + OWNERS_PEOPLE)
            acts.setdefault(t.rstrip(".") + f" (owner: {owner}, {rng.choice(DEADLINES)})", True)
    for k in range(400):
        act = k % 2 == 0
        acts.setdefault(compose_task(rng, act), act)
    action_items = [{"text": t, "actionable": a} for t, a in acts.items()]
    return root_causes, action_items


# --------------------------------------------------------------------------------------------

QUOTA = {1: 50, 2: 76, 3: 76, 4: 76, 5: 70}


def main(out: Path = OUT) -> None:
    rng = random.Random(SEED)
    docs: list[dict] = []
    blocks: list[dict] = []
    buckets: dict[int, list[Composed]] = {g: [] for g in QUOTA}
    tries = 0
    while any(len(buckets[g]) < QUOTA[g] for g in QUOTA) and tries < 20000:
        tries += 1
        need = [g for g in QUOTA if len(buckets[g]) < QUOTA[g]]
        target = rng.choice(need)
        q = min(1.0, max(0.0, rng.gauss((target - 1) / 4, 0.12)))
        plan = draw_plan(rng, q)
        r = rng.random()
        if target <= 2 and r < 0.3:
            plan.spec, plan.rc_section = "vague", True
        elif target <= 2 and r < 0.6:
            plan.spec, plan.rc_section, plan.rc_in_summary = "missing", False, False
        c = compose(plan, rng, "tmp")
        g = c.label["grade"]
        if len(buckets[g]) < QUOTA[g]:
            buckets[g].append(c)
    order = [c for g in sorted(buckets) for c in buckets[g]]
    rng.shuffle(order)
    for i, c in enumerate(order):
        c.label["id"] = f"gen-{i:04d}"
        docs.append(c.label)
        per_label: dict[str, int] = {}
        for t, l in c.blocks:  # at most 3 list entries per label and document, to keep balance
            per_label[l] = per_label.get(l, 0) + 1
            if t.strip() and (l not in ("timeline", "corrective_actions") or per_label[l] <= 3):
                blocks.append({"text": t, "label": l})
    for j, t in enumerate(NON_PM):
        docs.append(empty_label(f"gen-np-{j:02d}", t, False))
    for j, t in enumerate(NON_PM_PROMPT):
        docs.append(empty_label(f"gen-npp-{j:02d}", t, True))

    out.mkdir(exist_ok=True)
    (out / "sentences").mkdir(exist_ok=True)
    with open(out / "generated.jsonl", "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    rcs, acts = sentence_sets(rng)
    known = {a["text"] for a in acts}
    for d in docs:
        for it in d["action_items"]:
            if it["text"] not in known:
                known.add(it["text"])
                acts.append({"text": it["text"], "actionable": it["actionable"]})
        rct = d["root_cause"]["text"]
        if rct and rct not in {r["text"] for r in rcs}:
            rcs.append({"text": rct, "specificity": d["root_cause"]["specificity"]})
    # "other" blocks: filler, pasted assignment text and the lines of non-postmortem files
    blocks.extend({"text": t, "label": "other"} for t in FILLER + PROMPT_LINES)
    for t in NON_PM + NON_PM_PROMPT:
        blocks.extend({"text": ln.strip("#-[]x ").strip(), "label": "other"} for ln in t.splitlines()
                      if len(ln.strip("#-[]x ").strip()) > 12)
    seen: set[str] = set()
    uniq_blocks = []
    for bl in blocks:
        if bl["text"] not in seen:
            seen.add(bl["text"])
            uniq_blocks.append(bl)
    for name, rows in (("root_causes", rcs), ("action_items", acts), ("sections", uniq_blocks)):
        with open(out / "sentences" / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(docs)} documents ({tries} drafts), {len(rcs)} root causes, {len(acts)} action items, "
          f"{len(uniq_blocks)} section blocks")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT, help="output directory (default: corpus/)")
    main(ap.parse_args().out)
