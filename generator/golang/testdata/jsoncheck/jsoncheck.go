// Package jsoncheck checks a generated model's AppendJSON against
// json.Marshal on random and edge values. TestGoldenCompiles copies it
// into the module it builds the golden cases in, with a test per package
// that calls Model for each model.
package jsoncheck

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
)

type appender interface {
	AppendJSON(b []byte) ([]byte, error)
}

type hider interface {
	AppendJSONWithout(b []byte, hide []string) ([]byte, error)
}

// Model fills *T with random and edge values many times and fails unless
// its AppendJSON writes json.Marshal's bytes (or fails where it does),
// and, for the fields named in guarded (those with a read: expression),
// unless AppendJSONWithout writes json.Marshal's bytes without each
// subset of them.
func Model[T any](t *testing.T, guarded ...string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, uint64(len(guarded))))
	for range 2000 {
		obj := new(T)
		fill(reflect.ValueOf(obj).Elem(), rng)
		got, err := any(obj).(appender).AppendJSON([]byte("x"))
		same(t, obj, nil, got, err)
		if len(guarded) == 0 {
			continue
		}
		for mask := range 1 << len(guarded) {
			var hide []string
			for i, name := range guarded {
				if mask&(1<<i) != 0 {
					hide = append(hide, name)
				}
			}
			got, err := any(obj).(hider).AppendJSONWithout([]byte("x"), hide)
			same(t, obj, hide, got, err)
		}
	}
}

// same fails unless got (after the "x" it was appended to) and err are
// what json.Marshal gives for obj with the fields named in hide left out.
func same(t *testing.T, obj any, hide []string, got []byte, err error) {
	t.Helper()
	want, werr := json.Marshal(without(obj, hide))
	if (err != nil) != (werr != nil) {
		t.Fatalf("%+v without %v: error %v, json.Marshal's %v", obj, hide, err, werr)
	}
	if err == nil && (got[0] != 'x' || !bytes.Equal(got[1:], want)) {
		t.Fatalf("%+v without %v:\n got %s\nwant x%s", obj, hide, got, want)
	}
}

// without is a pointer to a copy of *obj in a struct type whose fields
// named in hide are tagged json:"-".
func without(obj any, hide []string) any {
	v := reflect.ValueOf(obj).Elem()
	if len(hide) == 0 {
		return obj
	}
	var fields []reflect.StructField
	for i := range v.NumField() {
		f := v.Type().Field(i)
		for _, h := range hide {
			if f.Tag.Get("json") == h {
				f.Tag = `json:"-"`
			}
		}
		fields = append(fields, f)
	}
	c := reflect.New(reflect.StructOf(fields))
	c.Elem().Set(v.Convert(c.Elem().Type()))
	return c.Interface()
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	decimalType = reflect.TypeFor[apd.Decimal]()
)

var edgeStrings = []string{
	"", "plain", `"quoted" \back\`, "<script>&</script>", "\x00\x1f\x7f", "\b\f\n\r\t",
	"é 日本 🎉", "\u2028\u2029", "\xff", "a\xc3", "\xed\xa0\x80", "\ufffd",
}

var edgeFloats = []float64{
	0, math.Copysign(0, -1), 1, -1.5, 0.1, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, -1e21, 5e-324,
	math.MaxFloat64, math.NaN(), math.Inf(1), math.Inf(-1),
}

var edgeDecimals = []string{"0", "0.00", "-0.00", "12.50", "-99999999.99", "1E+3", "1.5E-9", "NaN", "Infinity"}

// fill sets v, of a type a generated model can hold, to a random or edge
// value.
func fill(v reflect.Value, rng *rand.Rand) {
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(randomTime(rng)))
		return
	case v.Type() == decimalType:
		s := edgeDecimals[rng.IntN(len(edgeDecimals))]
		if rng.IntN(2) == 0 {
			s = strconv.FormatInt(rng.Int64N(1e12)-5e11, 10) + "." + strconv.Itoa(rng.IntN(100))
		}
		d, _, err := apd.NewFromString(s)
		if err != nil {
			panic(err)
		}
		v.Set(reflect.ValueOf(*d))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if rng.IntN(4) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), rng)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), rng)
		}
	case reflect.String:
		if rng.IntN(2) == 0 {
			v.SetString(edgeStrings[rng.IntN(len(edgeStrings))])
			return
		}
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		v.SetString(string(b))
	case reflect.Int64:
		switch rng.IntN(3) {
		case 0:
			v.SetInt([]int64{0, -1, math.MaxInt64, math.MinInt64}[rng.IntN(4)])
		default:
			v.SetInt(rng.Int64() >> rng.IntN(64))
		}
	case reflect.Float64:
		if rng.IntN(3) == 0 {
			v.SetFloat(edgeFloats[rng.IntN(len(edgeFloats))])
			return
		}
		v.SetFloat(math.Float64frombits(rng.Uint64()))
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	default:
		panic("jsoncheck: a model field of type " + v.Type().String())
	}
}

// randomTime is a time in UTC (as models hold them) within RFC 3339's
// range, or rarely outside it, where both encoders fail.
func randomTime(rng *rand.Rand) time.Time {
	switch rng.IntN(20) {
	case 0:
		return time.Time{}
	case 1:
		return time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	case 2:
		return time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC)
	}
	sec := rng.Int64N(253402300800) - 62135596800 // years 1 to 9999
	nsec := []int64{0, rng.Int64N(1e9), rng.Int64N(1000) * 1e6}[rng.IntN(3)]
	return time.Unix(sec, nsec).UTC()
}
