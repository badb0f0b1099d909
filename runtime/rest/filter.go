package rest

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cockroachdb/apd/v3"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/jsonbody"
	"github.com/wardhq/ward/runtime/perm"
	"github.com/wardhq/ward/runtime/sqlexpr"
)

// FilterSet is the list filters of a resource, as django-filter's
// FilterSet with filterset_fields in its dict form, and its search
// fields, as DRF's SearchFilter. Generated code declares one per resource
// that has filters: or search:, and the list handler ANDs Where's
// condition with the read scope, so a filter only ever narrows what the
// caller may see.
type FilterSet struct {
	// Filters in spec order; each reads the parameters of its lookups.
	Filters []Filter
	// Search names the string fields ?search= looks in (their JSON names,
	// which are their columns), in spec order.
	Search []string
}

// FilterType is how a filter reads its values: the type of its field.
type FilterType int

const (
	// FilterString is a string or text field (CharFilter): the value
	// trimmed, compared exactly.
	FilterString FilterType = iota + 1
	// FilterInt, FilterFloat and FilterDecimal are number fields
	// (NumberFilter): any finite decimal, compared exactly.
	FilterInt
	FilterFloat
	FilterDecimal
	// FilterBool is a bool field (BooleanFilter): true, false, 1 or 0
	// whatever the case; any other value is no filter.
	FilterBool
	// FilterDateTime is a datetime field (IsoDateTimeFilter).
	FilterDateTime
	// FilterRef is a reference field (ModelChoiceFilter): the id of an
	// object of the target the caller can see.
	FilterRef
)

// FilterLookup is a django-filter lookup: exact is written ?field=V, the others
// ?field__lookup=V.
type FilterLookup string

// The lookups a filter may have (which ones fit a type is the spec
// loader's business).
const (
	LookupExact  FilterLookup = "exact"
	LookupIn     FilterLookup = "in"
	LookupGte    FilterLookup = "gte"
	LookupLte    FilterLookup = "lte"
	LookupGt     FilterLookup = "gt"
	LookupLt     FilterLookup = "lt"
	LookupIsNull FilterLookup = "isnull"
)

// Filter is the query parameters of one field.
type Filter struct {
	// Field is the JSON name (the parameters are Field and Field__lookup)
	// and Column its column, unquoted.
	Field, Column string
	Type          FilterType
	Lookups       []FilterLookup
	// Choices, when set, make it a ChoiceFilter: a value must be one of
	// them, written as in the spec (an unknown value of __in matches
	// nothing).
	Choices []any
	// MaxDigits and DecimalPlaces are a decimal field's.
	MaxDigits, DecimalPlaces int
	// Target is a reference field's target.
	Target *FilterTarget
}

// FilterTarget is the resource a reference filter names: ?category=ID
// must be the id of one of its objects inside its read scope.
type FilterTarget struct {
	// Resource is the target's name and Table its quoted table.
	Resource, Table string
	Scope           func(*perm.Request) (sqlexpr.Where, error)
}

// django-filter's and Django's messages for bad filter values.
const (
	filterNumber   = "Enter a number."
	filterDateTime = "Enter a valid date/time."
	filterRef      = "Select a valid choice. That choice is not one of the available choices."
)

// maxTerms bounds the search terms and the items of an __in value: past
// it the value is refused (400) rather than turned into a statement with
// thousands of placeholders, which SQLite would refuse (503).
const maxTerms = 100

// Where returns the condition of the request's filter and search
// parameters, to AND with the read scope. Parameters are read as Django's
// QueryDict.get reads them (the last of repeated ones); an absent or
// empty one is no filter, and so is every other parameter. hide names the
// fields the caller may not read (Hidden): their parameters are ignored
// exactly as unknown ones, and they are not searched. Bad values are
// *Invalid (400) naming every bad parameter at once; an error from a
// reference's check is returned as it is (503).
func (s *FilterSet) Where(req *perm.Request, hide []string) (sqlexpr.Where, error) {
	q := req.HTTP.URL.Query()
	get := func(name string) string {
		v := q[name]
		if len(v) == 0 {
			return ""
		}
		return strings.ToValidUTF8(v[len(v)-1], "\uFFFD") // as Django decodes a query string
	}
	errs := drf.FieldErrors{}
	var where sqlexpr.Where
	for i := range s.Filters {
		f := &s.Filters[i]
		if isHidden(hide, f.Field) {
			continue
		}
		for _, l := range f.Lookups {
			param := f.Field
			if l != LookupExact {
				param += "__" + string(l)
			}
			v := get(param)
			if v == "" {
				continue
			}
			c, msg, err := f.where(req, l, v)
			if err != nil {
				return sqlexpr.Nothing, err
			}
			if msg != "" {
				errs.Add(param, msg)
				continue
			}
			where = where.And(c)
		}
	}
	search, msg := s.search(get("search"), hide, req.DB.Postgres())
	if msg != "" {
		errs.Add("search", msg)
	}
	if !errs.Empty() {
		return sqlexpr.Nothing, &Invalid{Errors: errs}
	}
	return where.And(search), nil
}

func isHidden(hide []string, field string) bool {
	for _, h := range hide {
		if h == field {
			return true
		}
	}
	return false
}

// where is the condition of lookup l with value v (not empty), or the
// message of a bad value.
func (f *Filter) where(req *perm.Request, l FilterLookup, v string) (sqlexpr.Where, string, error) {
	col := sqlexpr.Ident(f.Column)
	if l == LookupIsNull {
		b, ok := filterBool(v)
		switch {
		case !ok:
			return sqlexpr.Where{}, "", nil
		case b:
			return sqlexpr.Where{SQL: col + " IS NULL"}, "", nil
		}
		return sqlexpr.Where{SQL: col + " IS NOT NULL"}, "", nil
	}
	if f.Choices != nil {
		w, msg := f.choice(col, l, v)
		return w, msg, nil
	}
	switch f.Type {
	case FilterBool:
		b, ok := filterBool(v)
		if !ok {
			return sqlexpr.Where{}, "", nil
		}
		return sqlexpr.Where{SQL: col + " = ?", Args: []any{b}}, "", nil
	case FilterString:
		w, msg := stringWhere(col, l, v)
		return w, msg, nil
	case FilterDateTime:
		t, ok := ParseFilterTime(v)
		if !ok {
			return sqlexpr.Where{}, filterDateTime, nil
		}
		return compare(col, l, t), "", nil
	case FilterRef:
		return f.ref(req, col, v)
	}
	w, msg := f.number(col, l, v)
	return w, msg, nil
}

// compareOp is the SQL operator of each comparison lookup.
var compareOp = map[FilterLookup]string{LookupExact: "=", LookupGte: ">=", LookupLte: "<=", LookupGt: ">", LookupLt: "<"}

// compare is col compared with arg by lookup l; no filter for a lookup
// that is not a comparison (the loader allows none).
func compare(col string, l FilterLookup, arg any) sqlexpr.Where {
	op, ok := compareOp[l]
	if !ok {
		return sqlexpr.Where{}
	}
	return sqlexpr.Where{SQL: col + " " + op + " ?", Args: []any{arg}}
}

// filterBool reads a boolean as django-filter's BooleanWidget does: true,
// false, 1 or 0, whatever the case; ok is false for anything else.
func filterBool(v string) (b, ok bool) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// splitIn splits an __in value on commas, as django-filter's CSV widget.
func splitIn(v string) ([]string, string) {
	items := strings.Split(v, ",")
	if len(items) > maxTerms {
		return nil, "Ensure this value has at most " + strconv.Itoa(maxTerms) + " items."
	}
	return items, ""
}

// anyOf is the OR of the conditions col = item, Nothing for none.
func anyOf(col string, items []any) sqlexpr.Where {
	if len(items) == 0 {
		return sqlexpr.Nothing
	}
	marks := strings.Repeat("?, ", len(items))
	return sqlexpr.Where{SQL: col + " IN (" + marks[:len(marks)-2] + ")", Args: items}
}

// stringWhere is a CharFilter's condition: values are trimmed, as
// Django's CharField does, and may not hold NUL.
func stringWhere(col string, l FilterLookup, v string) (sqlexpr.Where, string) {
	items := []string{v}
	if l == LookupIn {
		var msg string
		if items, msg = splitIn(v); msg != "" {
			return sqlexpr.Where{}, msg
		}
	}
	var args []any
	for _, it := range items {
		it = strings.TrimSpace(it)
		if jsonbody.HasNull(it) {
			return sqlexpr.Where{}, jsonbody.NullCharacters
		}
		if it != "" || l == LookupIn {
			args = append(args, it)
		}
	}
	if l == LookupIn {
		return anyOf(col, args), ""
	}
	if len(args) == 0 {
		return sqlexpr.Where{}, "" // blank once trimmed: no filter
	}
	return sqlexpr.Where{SQL: col + " = ?", Args: args}, ""
}

// choice is a ChoiceFilter's condition: the value as sent must be one of
// the choices; in __in, values that are not match nothing.
func (f *Filter) choice(col string, l FilterLookup, v string) (sqlexpr.Where, string) {
	if l != LookupIn {
		c, ok := f.choiceOf(v)
		if !ok {
			return sqlexpr.Where{}, "Select a valid choice. " + v + " is not one of the available choices."
		}
		return sqlexpr.Where{SQL: col + " = ?", Args: []any{c}}, ""
	}
	items, msg := splitIn(v)
	if msg != "" {
		return sqlexpr.Where{}, msg
	}
	var args []any
	for _, it := range items {
		if c, ok := f.choiceOf(it); ok && !containsValue(args, c) {
			args = append(args, c)
		}
	}
	return anyOf(col, args), ""
}

func containsValue(list []any, v any) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// choiceOf is the choice written v.
func (f *Filter) choiceOf(v string) (any, bool) {
	for _, c := range f.Choices {
		var s string
		switch c := c.(type) {
		case string:
			s = c
		case int64:
			s = strconv.FormatInt(c, 10)
		case float64:
			s = num(c)
		}
		if s == v {
			return c, true
		}
	}
	return nil, false
}

// ref is a ModelChoiceFilter's condition: the value must be the id of an
// object of the target inside the target's read scope for the caller, so
// that the answer never tells an invisible object from a missing one.
func (f *Filter) ref(req *perm.Request, col, v string) (sqlexpr.Where, string, error) {
	id, ok := parsePK(v)
	if !ok {
		return sqlexpr.Where{}, filterRef, nil
	}
	ok, err := f.Target.visible(req, id)
	if err != nil || !ok {
		return sqlexpr.Where{}, filterRef, err
	}
	return sqlexpr.Where{SQL: col + " = ?", Args: []any{id}}, "", nil
}

// parsePK reads an id as Python's int() does: surrounding whitespace, a
// sign, and single underscores between digits allowed.
func parsePK(v string) (int64, bool) {
	v = strings.TrimSpace(v)
	sign := ""
	if v != "" && (v[0] == '+' || v[0] == '-') {
		sign, v = v[:1], v[1:]
	}
	d, ok := digits(v)
	if !ok || d == "" {
		return 0, false
	}
	id, err := strconv.ParseInt(sign+d, 10, 64)
	return id, err == nil
}

// visible says whether the target's row id is inside its read scope for
// the caller of req.
func (t *FilterTarget) visible(req *perm.Request, id int64) (bool, error) {
	target := &perm.Request{HTTP: req.HTTP, User: req.User, Action: perm.ActionRetrieve, Resource: t.Resource, Challenge: req.Challenge, DB: req.DB}
	where, err := t.Scope(target)
	if err != nil {
		return false, err
	}
	q := `SELECT 1 FROM ` + t.Table + ` WHERE "id" = ?`
	args := []any{id}
	if where.SQL != "" {
		q += " AND (" + where.SQL + ")"
		args = append(args, where.Args...)
	}
	dialect := SQLite
	if req.DB.Postgres() {
		dialect = Postgres
	}
	if args, err = bindArgs(dialect, args); err != nil {
		return false, err
	}
	var one int
	err = req.DB.QueryRow(req.HTTP.Context(), q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// number is a NumberFilter's condition. The value is any finite decimal
// (Python's Decimal syntax, no digit limits) and compares exactly: an
// integer or decimal column holds whole multiples of 10^-places, so a
// bound between two of them is rounded to the one that selects the same
// rows, and a bound past every value the column can hold selects all
// rows or none (NULL never matches).
func (f *Filter) number(col string, l FilterLookup, v string) (sqlexpr.Where, string) {
	items := []string{v}
	if l == LookupIn {
		var msg string
		if items, msg = splitIn(v); msg != "" {
			return sqlexpr.Where{}, msg
		}
	}
	var in []any
	for _, it := range items {
		p, ok := splitDecimal(strings.TrimSpace(it))
		if !ok {
			if l == LookupIn && strings.TrimSpace(it) == "" {
				continue
			}
			return sqlexpr.Where{}, filterNumber
		}
		if f.Type == FilterFloat {
			x, err := strconv.ParseFloat(floatText(p), 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return sqlexpr.Where{}, filterNumber
			}
			if l == LookupIn {
				in = append(in, x)
				continue
			}
			return compare(col, l, x), ""
		}
		w, arg := f.scaledWhere(col, l, p)
		if l != LookupIn {
			return w, ""
		}
		if arg != nil {
			in = append(in, arg)
		}
	}
	return anyOf(col, in), ""
}

// floatText writes p for strconv.ParseFloat.
func floatText(p decimalParts) string {
	s := p.digits + "e" + strconv.FormatInt(max(min(p.exp, 1<<20), -1<<20), 10)
	if p.neg {
		s = "-" + s
	}
	return s
}

// scaledWhere is the condition of lookup l on an integer or decimal column
// against p, and for exact (and each item of in) the bound argument, nil
// when no value of the column equals p.
func (f *Filter) scaledWhere(col string, l FilterLookup, p decimalParts) (sqlexpr.Where, any) {
	places, limit := 0, uint64(1<<63-1)
	if f.Type == FilterDecimal {
		places = f.DecimalPlaces
		limit = pow10(f.MaxDigits) - 1
	}
	// gte and lt compare with p rounded up, gt and lte rounded down.
	up := l == LookupGte || l == LookupLt
	b := scale(p, places, limit, up)
	all := sqlexpr.Where{SQL: col + " IS NOT NULL"}
	switch {
	case (l == LookupExact || l == LookupIn) && (b.inexact || b.over || b.under):
		return sqlexpr.Nothing, nil
	case b.over && (l == LookupGte || l == LookupGt), b.under && (l == LookupLte || l == LookupLt):
		return sqlexpr.Nothing, nil
	case b.over || b.under:
		return all, nil
	}
	var arg any = b.n
	if f.Type == FilterDecimal {
		arg = BindDecimal(apd.New(b.n, -int32(places)), places)
	}
	op := compareOp[l]
	if l == LookupIn {
		op = "="
	}
	return sqlexpr.Where{SQL: col + " " + op + " ?", Args: []any{arg}}, arg
}

// scaledBound is a decimal times 10^places rounded to an integer: n, or
// over (under) when it is above (below) every value of magnitude at most
// limit; inexact when the rounding changed it.
type scaledBound struct {
	n                    int64
	over, under, inexact bool
}

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

// scale rounds p×10^places down, or up when up is set, without building
// numbers larger than 19 digits (an exponent may be huge).
func scale(p decimalParts, places int, limit uint64, up bool) scaledBound {
	var b scaledBound
	var mag uint64
	overflow := false
	shift := p.exp + int64(places)
	nd := int64(len(p.digits))
	switch {
	case p.digits == "0":
	case shift >= 0:
		if nd+shift > 19 {
			overflow = true
			break
		}
		m, err := strconv.ParseUint(p.digits+strings.Repeat("0", int(shift)), 10, 64)
		mag, overflow = m, err != nil
	case nd+shift <= 0:
		b.inexact = true
	default:
		keep := nd + shift
		if keep > 19 {
			overflow = true
			break
		}
		m, err := strconv.ParseUint(p.digits[:keep], 10, 64)
		mag, overflow = m, err != nil
		b.inexact = strings.Trim(p.digits[keep:], "0") != ""
	}
	// Away from zero when rounding up a positive value or down a negative one.
	if b.inexact && up != p.neg {
		mag++
	}
	if overflow || mag > limit {
		b.over, b.under = !p.neg, p.neg
		return b
	}
	b.n = int64(mag)
	if p.neg {
		b.n = -b.n
	}
	return b
}

// ParseFilterTime reads a datetime filter value as Django's
// IsoDateTimeField does: ISO 8601, YYYY-MM-DD, then optionally T or a
// space and hh:mm[:ss[.ffffff]] (or a comma before the fraction), then
// optionally Z or ±hh[:mm]; surrounding
// whitespace ignored; without an offset the time is UTC. Fractions past
// microseconds are cut, as Python's datetime holds microseconds.
func ParseFilterTime(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if len(v) < 10 || len(v) > 64 {
		return time.Time{}, false
	}
	date, rest := v[:10], v[10:]
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		return time.Time{}, false
	}
	if rest == "" {
		return d, true
	}
	if rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ' {
		return time.Time{}, false
	}
	rest = rest[1:]
	// The offset: Z, or a sign after the time.
	loc := time.UTC
	if n := len(rest); n > 0 && (rest[n-1] == 'Z' || rest[n-1] == 'z') {
		rest = rest[:n-1]
	} else if i := strings.LastIndexAny(rest, "+-"); i > 0 {
		off, ok := parseOffset(rest[i+1:], rest[i] == '-')
		if !ok {
			return time.Time{}, false
		}
		loc, rest = time.FixedZone("", off), rest[:i]
	}
	clock, frac, hasFrac := strings.Cut(strings.Replace(rest, ",", ".", 1), ".")
	if hasFrac && (frac == "" || !allDigits(frac)) {
		return time.Time{}, false
	}
	var h, m, s int
	var ok bool
	switch len(clock) {
	case 5:
		h, m, ok = twoDigits(clock[0:2]), twoDigits(clock[3:5]), clock[2] == ':'
		if hasFrac {
			return time.Time{}, false
		}
	case 8:
		h, m, s = twoDigits(clock[0:2]), twoDigits(clock[3:5]), twoDigits(clock[6:8])
		ok = clock[2] == ':' && clock[5] == ':'
	}
	if !ok || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59 {
		return time.Time{}, false
	}
	ns := 0
	if hasFrac {
		frac = (frac + "000000")[:6]
		us, _ := strconv.Atoi(frac)
		ns = us * 1000
	}
	t := time.Date(d.Year(), d.Month(), d.Day(), h, m, s, ns, loc)
	return t.UTC(), true
}

// parseOffset reads hh, hhmm or hh:mm as seconds east of UTC.
func parseOffset(s string, neg bool) (int, bool) {
	s = strings.Replace(s, ":", "", 1)
	if len(s) != 2 && len(s) != 4 {
		return 0, false
	}
	h, m := twoDigits(s[:2]), 0
	if len(s) == 4 {
		m = twoDigits(s[2:])
	}
	if h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if neg {
		off = -off
	}
	return off, true
}

// twoDigits is the number written by two ASCII digits, -1 otherwise.
func twoDigits(s string) int {
	if len(s) != 2 || !allDigits(s) {
		return -1
	}
	return int(s[0]-'0')*10 + int(s[1]-'0')
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// SearchTerms splits a ?search= value as DRF's SearchFilter does: NUL
// removed, commas as spaces, then split on whitespace (Python's, which
// counts U+001C to U+001F as well).
func SearchTerms(v string) []string {
	v = strings.ReplaceAll(v, "\x00", "")
	return strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
	})
}

// search is the condition of ?search=: every term is a substring of at
// least one search field the caller can read, ignoring the case of ASCII
// letters only, on SQLite and PostgreSQL alike (SQLite's LIKE and lower()
// know no other letters, and PostgreSQL's lower() depends on the server's
// locale). %, _ and \ in a term are literal.
func (s *FilterSet) search(v string, hide []string, postgres bool) (sqlexpr.Where, string) {
	var cols []string
	for _, f := range s.Search {
		if !isHidden(hide, f) {
			cols = append(cols, f)
		}
	}
	terms := SearchTerms(v)
	if len(cols) == 0 || len(terms) == 0 {
		return sqlexpr.Where{}, ""
	}
	var uniq []string
	for _, t := range terms {
		if !containsString(uniq, t) {
			uniq = append(uniq, t)
		}
	}
	if len(uniq) > maxTerms {
		return sqlexpr.Where{}, "Ensure this value has at most " + strconv.Itoa(maxTerms) + " terms."
	}
	var where sqlexpr.Where
	for _, t := range uniq {
		pattern := "%" + likeEscape(lowerASCII(t)) + "%"
		term := sqlexpr.Nothing
		for _, c := range cols {
			term = term.Or(sqlexpr.Where{SQL: foldASCII(sqlexpr.Ident(c), postgres) + ` LIKE ? ESCAPE '\'`, Args: []any{pattern}})
		}
		where = where.And(term)
	}
	return where, ""
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// foldASCII is the SQL lower-casing ASCII letters of col and nothing else.
func foldASCII(col string, postgres bool) string {
	if postgres {
		return "translate(" + col + ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
	}
	return "lower(" + col + ")"
}

// lowerASCII lower-cases the ASCII letters of s.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// likeEscape makes s a literal in a LIKE pattern with ESCAPE '\'.
func likeEscape(s string) string {
	if !strings.ContainsAny(s, `\%_`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == '\\' || r == '%' || r == '_' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
