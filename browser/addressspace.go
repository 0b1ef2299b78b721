package browser

import (
	"net/netip"
	"net/url"
	"strings"
)

// AddressSpace is where an address lives, from the most to the least
// private: loopback (this machine), private (the local network) and public
// (the Internet). Chromium's Local Network Access asks the user's permission
// before a page in a less private space fetches a more private one.
type AddressSpace string

// The address spaces.
const (
	Loopback AddressSpace = "loopback"
	Private  AddressSpace = "private"
	Public   AddressSpace = "public"
)

// Valid reports whether s is one of the three spaces.
func (s AddressSpace) Valid() bool { return s == Loopback || s == Private || s == Public }

// privacy orders the spaces: the higher, the more private.
func (s AddressSpace) privacy() int {
	switch s {
	case Loopback:
		return 2
	case Private:
		return 1
	}
	return 0
}

// chromiumName is the name Chromium's console gives the space: "local" for
// the private network.
func (s AddressSpace) chromiumName() string {
	if s == Private {
		return "local"
	}
	return string(s)
}

// SpaceOfIP returns the address space of an IP address: loopback for
// 127.0.0.0/8 and ::1, private for RFC 1918, link-local, carrier-grade NAT
// and unique-local IPv6 addresses, public otherwise.
func SpaceOfIP(ip netip.Addr) AddressSpace {
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback() || ip.IsUnspecified():
		return Loopback
	case ip.IsPrivate() || ip.IsLinkLocalUnicast() || netip.MustParsePrefix("100.64.0.0/10").Contains(ip):
		return Private
	}
	return Public
}

// SpaceOfURL infers the address space of a URL's host without resolving
// it: an IP address by its range, localhost and *.localhost as loopback;
// any other name is taken as public, and false says it was a guess.
func SpaceOfURL(raw string) (AddressSpace, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return Public, false
	}
	host := strings.ToLower(u.Hostname())
	if ip, err := netip.ParseAddr(host); err == nil {
		return SpaceOfIP(ip), true
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return Loopback, true
	}
	return Public, false
}

// potentiallyTrustworthy reports whether an http URL may be fetched from an
// https page: its host is loopback (127.0.0.0/8, ::1, localhost,
// *.localhost), for engines that treat loopback as trustworthy.
func potentiallyTrustworthy(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Scheme, "https") || strings.EqualFold(u.Scheme, "wss") {
		return true
	}
	space, certain := SpaceOfURL(raw)
	return certain && space == Loopback
}
