package browserwire

// FirefoxQuietPrefs, a user.js, turn off Firefox's own background traffic (updates,
// telemetry, safe browsing, experiments, captive-portal and connectivity
// checks, push, prefetching, remote settings, the new tab page's feeds and
// ads; servers pointed at a port of loopback where nothing listens): the
// browser talks only to what the app asks for. Firefox 153 ESR with these
// prefs and FirefoxEnv, its host resolver logged (MOZ_LOG=nsHostResolver:5)
// for 15 s on about:blank, resolves no name; with the prefs of 2026-12-04
// it looked up firefox.settings.services.mozilla.com,
// incoming.telemetry.mozilla.org and ads.mozilla.org.
const FirefoxQuietPrefs = `
user_pref("app.update.enabled", false);
user_pref("app.update.auto", false);
user_pref("app.normandy.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.update.enabled", false);
user_pref("browser.search.update", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("messaging-system.rsexperimentloader.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("network.http.speculative-parallel-limit", 0);
user_pref("dom.push.connection.enabled", false);
user_pref("browser.region.network.url", "");
user_pref("geo.provider.network.url", "");
user_pref("services.settings.server", "http://127.0.0.1:9/v1");
user_pref("toolkit.telemetry.server", "http://127.0.0.1:9");
user_pref("toolkit.telemetry.archive.enabled", false);
user_pref("toolkit.telemetry.shutdownPingSender.enabled", false);
user_pref("toolkit.telemetry.newProfilePing.enabled", false);
user_pref("toolkit.telemetry.firstShutdownPing.enabled", false);
user_pref("toolkit.telemetry.bhrPing.enabled", false);
user_pref("toolkit.telemetry.updatePing.enabled", false);
user_pref("datareporting.usage.uploadEnabled", false);
user_pref("browser.ping-centre.telemetry", false);
user_pref("browser.newtabpage.activity-stream.feeds.telemetry", false);
user_pref("browser.newtabpage.activity-stream.telemetry", false);
user_pref("browser.newtabpage.activity-stream.feeds.section.topstories", false);
user_pref("browser.newtabpage.activity-stream.showSponsored", false);
user_pref("browser.newtabpage.activity-stream.showSponsoredTopSites", false);
user_pref("browser.newtabpage.activity-stream.feeds.topsites", false);
user_pref("browser.topsites.contile.enabled", false);
user_pref("browser.urlbar.quicksuggest.enabled", false);
user_pref("browser.newtabpage.activity-stream.unifiedAds.tiles.enabled", false);
user_pref("browser.newtabpage.activity-stream.unifiedAds.spocs.enabled", false);
user_pref("browser.newtabpage.activity-stream.unifiedAds.endpoint", "http://127.0.0.1:9/");
`

// FirefoxEnv is the environment Firefox runs with besides the caller's:
// no crash reporter, and MOZ_REMOTE_SETTINGS_DEVTOOLS=1, without which a
// release build (ESR) ignores services.settings.server above and polls
// Mozilla's remote settings server (seen with MOZ_LOG=nsHttp:3: a DNS
// lookup of firefox.settings.services.mozilla.com each time).
var FirefoxEnv = []string{"MOZ_CRASHREPORTER_DISABLE=1", "MOZ_REMOTE_SETTINGS_DEVTOOLS=1"}
