package throttle

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP returns the address of the client that sent r. With
// trustedProxies == 0 it is the connection's peer (the host of
// r.RemoteAddr); X-Forwarded-For is ignored, since any client can send it.
// With trustedProxies = N > 0 (DRF's NUM_PROXIES) it is the Nth entry from
// the right of X-Forwarded-For (all such headers joined in order): the
// address the outermost trusted proxy saw. When the header has fewer than N
// entries, or that entry is not an IP address, it falls back to the peer.
// Addresses are returned in canonical form (IPv4-mapped IPv6 unmapped).
func ClientIP(r *http.Request, trustedProxies int) string {
	peer := canonical(r.RemoteAddr)
	if peer == "" {
		peer = r.RemoteAddr
	}
	if trustedProxies <= 0 {
		return peer
	}
	var entries []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		entries = append(entries, strings.Split(v, ",")...)
	}
	if len(entries) < trustedProxies {
		return peer
	}
	if ip := canonical(strings.TrimSpace(entries[len(entries)-trustedProxies])); ip != "" {
		return ip
	}
	return peer
}

// canonical parses an address, with or without a port, and returns the IP
// in canonical form, or "" when s is not one.
func canonical(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone("").String()
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone("").String()
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			return a.Unmap().WithZone("").String()
		}
	}
	return ""
}
