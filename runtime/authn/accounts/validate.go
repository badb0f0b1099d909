package accounts

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Password validation as Django's AUTH_PASSWORD_VALIDATORS: the four
// default validators, with Django's messages, run in Django's order.

// MinPasswordLength is the default of Django's MinimumLengthValidator.
const MinPasswordLength = 8

// MaxSimilarity is the default of Django's UserAttributeSimilarityValidator.
const MaxSimilarity = 0.7

// commonPasswords is a short list of the most common passwords (about two
// hundred, from the public top lists Django's own 20,000-entry list starts
// with), one a line, lower case. A team wanting Django's full list passes
// it to PasswordRules.Common.
//
//go:embed common_passwords.txt
var commonPasswordsText string

var defaultCommon = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswordsText, "\n") {
		if l = strings.TrimSpace(strings.ToLower(l)); l != "" {
			m[l] = true
		}
	}
	return m
}()

// PasswordRules configures ValidatePassword. The zero value is Django's
// defaults with the embedded common-password list.
type PasswordRules struct {
	MinLength     int             // 0: MinPasswordLength
	MaxSimilarity float64         // 0: MaxSimilarity
	Common        map[string]bool // lower-case passwords; nil: the embedded list
}

// ValidatePassword returns the messages of every rule pw breaks (nil when
// it passes), in Django's order: similarity to the user's attributes
// (username, email address), minimum length, common password, entirely
// numeric.
func (p PasswordRules) ValidatePassword(pw, username, email string) []string {
	var msgs []string
	maxSim := p.MaxSimilarity
	if maxSim == 0 {
		maxSim = MaxSimilarity
	}
	for _, a := range []struct{ value, name string }{{username, "username"}, {email, "email address"}} {
		if tooSimilar(pw, a.value, maxSim) {
			msgs = append(msgs, "The password is too similar to the "+a.name+".")
			break
		}
	}
	min := p.MinLength
	if min == 0 {
		min = MinPasswordLength
	}
	if n := len([]rune(pw)); n < min {
		s := "s"
		if min == 1 {
			s = ""
		}
		msgs = append(msgs, fmt.Sprintf("This password is too short. It must contain at least %d character%s.", min, s))
	}
	common := p.Common
	if common == nil {
		common = defaultCommon
	}
	if common[strings.ToLower(strings.TrimSpace(pw))] {
		msgs = append(msgs, "This password is too common.")
	}
	if pw != "" && strings.IndexFunc(pw, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		msgs = append(msgs, "This password is entirely numeric.")
	}
	return msgs
}

var nonWord = regexp.MustCompile(`\W+`)

// tooSimilar is Django's UserAttributeSimilarityValidator for one
// attribute: the value and each of its \W-separated parts are compared to
// the password with difflib's quick_ratio, skipping parts far shorter than
// the password.
func tooSimilar(pw, value string, maxSim float64) bool {
	if value == "" {
		return false
	}
	pw = strings.ToLower(pw)
	value = strings.ToLower(value)
	parts := append(nonWord.Split(value, -1), value)
	for _, part := range parts {
		if part == "" || exceedsLengthRatio(pw, part, maxSim) {
			continue
		}
		if quickRatio(pw, part) >= maxSim {
			return true
		}
	}
	return false
}

func exceedsLengthRatio(pw, value string, maxSim float64) bool {
	p, v := len([]rune(pw)), len([]rune(value))
	return p >= 10*v && float64(v) < maxSim/2*float64(p)
}

// quickRatio is difflib.SequenceMatcher.quick_ratio: twice the size of the
// multiset intersection of the two strings' characters over their total
// length.
func quickRatio(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra)+len(rb) == 0 {
		return 1
	}
	avail := map[rune]int{}
	for _, r := range rb {
		avail[r]++
	}
	matches := 0
	for _, r := range ra {
		if avail[r] > 0 {
			avail[r]--
			matches++
		}
	}
	return 2 * float64(matches) / float64(len(ra)+len(rb))
}
