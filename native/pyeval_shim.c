/*
 * PyEval_CallObject for durable-rules 2.0.28 on Python 3.13 and later.
 *
 * Python 3.13 removed PyEval_CallObject (a macro in 3.9-3.12).  durable-rules'
 * extension (durable_rules_engine) still calls it, so on 3.13 it builds with an
 * implicit declaration and its import fails: "undefined symbol:
 * PyEval_CallObject".  This module defines that symbol; compliance loads it
 * with RTLD_GLOBAL before durable_rules_engine (compliance/rules/durable_import.py),
 * so the dynamic linker resolves the engine's reference to it.
 *
 * Why not a plain forwarder: the engine was compiled without a prototype, so
 * it takes the result as a C int -- after the call it keeps only the low 32
 * bits and sign-extends them (`cltq` on x86-64).  A PyObject* above 2 GiB
 * would come back corrupted.  The engine only ever uses the result of these
 * calls (its storage and idle-state callbacks, which compliance does not
 * register) as `if (result && PyLong_Check(result)) code = PyLong_AsLong(result);
 * Py_XDECREF(result);`.  So the shim returns:
 *   - NULL when the call raised (as before: the exception stays set);
 *   - NULL for a result that is not an int (as before, the engine's code stays
 *     "unexpected type"; the shim drops the reference the engine would have);
 *   - for an int, an immortal copy of it kept below 2 GiB, which survives the
 *     truncation unchanged.
 * On a 32-bit build pointers are ints already, and the result is forwarded.
 *
 * It is a top-level module (_compliance_pyeval_shim), not part of the package,
 * so that tests run from a checkout (which imports the checkout's pure-Python
 * compliance/) still find the one built into site-packages.  It is built for
 * every Python, so the wheel is tagged for the Python it was built for; below
 * 3.13 the header's PyEval_CallObject exists and nothing is defined.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if PY_VERSION_HEX >= 0x030D0000

#include <stdint.h>
#include <string.h>

#if defined(Py_GIL_DISABLED)
#error "durable-rules' engine is not thread-safe: no free-threaded build"
#endif

#if SIZEOF_VOID_P > 4
#include <sys/mman.h>

#define LOW_BYTES 4096
#define SLOT_BYTES 64

static unsigned char *low_page = NULL; /* below 2 GiB, or NULL if none could be had */
static size_t low_used = 0;
static long low_values[LOW_BYTES / SLOT_BYTES];

static int fits_in_int(const void *p) {
    intptr_t v = (intptr_t)p;
    return v == (intptr_t)(int)v;
}

static unsigned char *map_low_page(void) {
    void *p;
#ifdef MAP_32BIT
    p = mmap(NULL, LOW_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (p != MAP_FAILED) {
        if (fits_in_int(p)) return (unsigned char *)p;
        munmap(p, LOW_BYTES);
    }
#endif
    /* A hint, not MAP_FIXED: the kernel may put it elsewhere, which is checked. */
    p = mmap((void *)0x10000000, LOW_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    if (fits_in_int(p) && p != NULL) return (unsigned char *)p;
    munmap(p, LOW_BYTES);
    return NULL;
}

/* An immortal int equal to `value` at an address an int can hold, or NULL with an exception set. */
static PyObject *low_int(long value) {
    size_t i, n = low_used / SLOT_BYTES;
    for (i = 0; i < n; i++) {
        if (low_values[i] == value) return (PyObject *)(low_page + i * SLOT_BYTES);
    }
    if (low_page == NULL) low_page = map_low_page();
    if (low_page == NULL || low_used + SLOT_BYTES > LOW_BYTES) {
        PyErr_SetString(PyExc_RuntimeError,
                        "compliance's PyEval_CallObject shim has no room below 2 GiB for a durable-rules callback result");
        return NULL;
    }
    PyObject *fresh = PyLong_FromLong(value);
    if (fresh == NULL) return NULL;
    /* The object's own size (an int keeps its digits inline, with no GC header before it). */
    Py_ssize_t size = -1;
    PyObject *size_obj = PyObject_CallMethod(fresh, "__sizeof__", NULL);
    if (size_obj != NULL) {
        size = PyLong_AsSsize_t(size_obj);
        Py_DECREF(size_obj);
    }
    PyErr_Clear();
    if (size <= 0 || (size_t)size > SLOT_BYTES) {
        Py_DECREF(fresh);
        PyErr_SetString(PyExc_RuntimeError, "a durable-rules callback result is too large an int");
        return NULL;
    }
    unsigned char *slot = low_page + low_used;
    memcpy(slot, fresh, (size_t)size);
    Py_DECREF(fresh);
    /* Immortal: the engine's Py_XDECREF leaves it alone, and nothing ever frees it. */
    ((PyObject *)slot)->ob_refcnt = _Py_IMMORTAL_REFCNT;
    low_values[n] = value;
    low_used += SLOT_BYTES;
    return (PyObject *)slot;
}
#endif /* SIZEOF_VOID_P > 4 */

__attribute__((visibility("default"))) PyObject *PyEval_CallObject(PyObject *callable, PyObject *args) {
    PyObject *result = PyObject_CallObject(callable, args);
#if SIZEOF_VOID_P > 4
    if (result == NULL || fits_in_int(result)) return result;
    if (!PyLong_Check(result)) {
        Py_DECREF(result);
        return NULL;
    }
    long value = PyLong_AsLong(result);
    Py_DECREF(result);
    if (value == -1 && PyErr_Occurred()) return NULL;
    return low_int(value);
#else
    return result;
#endif
}

#endif /* PY_VERSION_HEX >= 0x030D0000 */

static struct PyModuleDef shim_module = {
    PyModuleDef_HEAD_INIT,
    "_compliance_pyeval_shim",
    "PyEval_CallObject for durable-rules on Python 3.13 (see native/pyeval_shim.c in compliance's source).",
    -1,
    NULL,
};

PyMODINIT_FUNC PyInit__compliance_pyeval_shim(void) {
    return PyModule_Create(&shim_module);
}
