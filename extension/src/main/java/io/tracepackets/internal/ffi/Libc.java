package io.tracepackets.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.OptionalInt;

/**
 * The few libc calls the tracer needs that the JDK does not offer: mmap of BPF maps, epoll on a
 * ring buffer fd, setns, and vsnprintf to render libbpf's printf-style log.
 */
public final class Libc {

	public static final int O_RDONLY = 0;
	public static final int O_CLOEXEC = 0x80000;
	public static final int CLONE_NEWNET = 0x40000000;
	public static final int PROT_READ = 1;
	public static final int PROT_WRITE = 2;
	public static final int MAP_SHARED = 1;
	public static final int EPOLL_CLOEXEC = O_CLOEXEC;
	public static final int EPOLL_CTL_ADD = 1;
	public static final int EPOLLIN = 1;
	/** struct epoll_event is packed on x86_64: u32 events, u64 data. */
	public static final long EPOLL_EVENT_SIZE = 12;
	private static final int EFD_NONBLOCK = 0x800;
	private static final int EFD_CLOEXEC = O_CLOEXEC;
	private static final int EAGAIN = 11;

	private static final SymbolLookup LIBC = Native.LINKER.defaultLookup();

	private static final MethodHandle OPEN = Native.downcall(LIBC, "open",
			FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), true);
	private static final MethodHandle READ = Native.downcall(LIBC, "read",
			FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), true);
	private static final MethodHandle WRITE = Native.downcall(LIBC, "write",
			FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), true);
	private static final MethodHandle EVENTFD = Native.downcall(LIBC, "eventfd",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), true);
	private static final MethodHandle CLOSE = Native.downcall(LIBC, "close",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);
	private static final MethodHandle SETNS = Native.downcall(LIBC, "setns",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), true);
	private static final MethodHandle MMAP = Native.downcall(LIBC, "mmap",
			FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), true);
	private static final MethodHandle MUNMAP = Native.downcall(LIBC, "munmap",
			FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), false);
	private static final MethodHandle EPOLL_CREATE1 = Native.downcall(LIBC, "epoll_create1",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT), true);
	private static final MethodHandle EPOLL_CTL = Native.downcall(LIBC, "epoll_ctl",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), true);
	private static final MethodHandle EPOLL_WAIT = Native.downcall(LIBC, "epoll_wait",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), true);
	private static final MethodHandle VSNPRINTF = Native.downcall(LIBC, "vsnprintf",
			FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS), false);
	private static final MethodHandle IF_NAMEINDEX = Native.downcall(LIBC, "if_nameindex",
			FunctionDescriptor.of(ADDRESS), true);
	private static final MethodHandle IF_FREENAMEINDEX = Native.downcall(LIBC, "if_freenameindex",
			FunctionDescriptor.ofVoid(ADDRESS), false);

	/** ioctl(2) with no argument after the request; glibc's is variadic, and none is passed. */
	private static final MethodHandle IOCTL = Native.downcall(LIBC, "ioctl",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), true);
	/** NS_GET_NSTYPE, _IO(0xb7, 0x3) of linux/nsfs.h (4.11+): the CLONE_NEW* type of an nsfs file. */
	private static final long NS_GET_NSTYPE = 0xb703;
	private static final int ENOTTY = 25;

	private static final MethodHandle GETRLIMIT = Native.downcall(LIBC, "getrlimit",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), true);
	private static final MethodHandle SETRLIMIT = Native.downcall(LIBC, "setrlimit",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), true);
	private static final int RLIMIT_NOFILE = 7;

	private Libc() {
	}

	/** The soft and hard limits on open file descriptors (RLIMIT_NOFILE). */
	public record OpenFileLimit(long soft, long hard) {
	}

	public static OpenFileLimit openFileLimit() {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			MemorySegment limit = arena.allocate(JAVA_LONG, 2);
			int ret = (int) GETRLIMIT.invokeExact(errno, RLIMIT_NOFILE, limit);
			if (ret != 0) {
				throw new NativeException("getrlimit(RLIMIT_NOFILE)", Native.errno(errno));
			}
			return new OpenFileLimit(limit.getAtIndex(JAVA_LONG, 0), limit.getAtIndex(JAVA_LONG, 1));
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * Raises the soft limit on open file descriptors to the hard limit, as pwru does: probes are
	 * file descriptors, and the default soft limit (1024) is below what every skb function needs.
	 * Returns the limits in force afterwards.
	 */
	public static OpenFileLimit raiseOpenFileLimit() {
		OpenFileLimit limit = openFileLimit();
		if (limit.soft() >= limit.hard()) {
			return limit;
		}
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			MemorySegment wanted = arena.allocate(JAVA_LONG, 2);
			wanted.setAtIndex(JAVA_LONG, 0, limit.hard());
			wanted.setAtIndex(JAVA_LONG, 1, limit.hard());
			int ret = (int) SETRLIMIT.invokeExact(errno, RLIMIT_NOFILE, wanted);
			if (ret != 0) {
				throw new NativeException("setrlimit(RLIMIT_NOFILE)", Native.errno(errno));
			}
			return openFileLimit();
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** open(2) read-only, close-on-exec. */
	public static int openReadOnly(String path) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			int fd = (int) OPEN.invokeExact(errno, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				throw new NativeException("open " + path, Native.errno(errno));
			}
			return fd;
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * Whether the file at {@code path} exists and its first bytes are not all blank: an open, a read
	 * and a close, for a small procfs file read in every test window (a namespace's iptables table
	 * names), where a Java file read costs several times that.
	 */
	public static boolean hasContent(String path) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			int fd = (int) OPEN.invokeExact(errno, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				return false;
			}
			try {
				MemorySegment buffer = arena.allocate(256);
				long length = (long) READ.invokeExact(errno, fd, buffer, buffer.byteSize());
				for (long i = 0; i < length; i++) {
					if (!Character.isWhitespace(buffer.get(JAVA_BYTE, i))) {
						return true;
					}
				}
				return false;
			} finally {
				close(fd);
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * The namespace type (a {@code CLONE_NEW*} flag) of the nsfs file {@code fd} is open on, asked of
	 * the kernel with {@code NS_GET_NSTYPE}; empty when it is not a namespace at all (ENOTTY: a regular
	 * file, a directory, a device).
	 */
	public static OptionalInt namespaceType(int fd, String what) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			int type = (int) IOCTL.invokeExact(errno, fd, NS_GET_NSTYPE);
			if (type >= 0) {
				return OptionalInt.of(type);
			}
			int error = Native.errno(errno);
			if (error == ENOTTY) {
				return OptionalInt.empty();
			}
			throw new NativeException("ioctl(NS_GET_NSTYPE) on " + what, error);
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	public static void close(int fd) {
		try {
			int ignored = (int) CLOSE.invokeExact(fd);
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** setns(2): moves the calling thread into the namespace behind {@code fd}. */
	public static void setns(int fd, int nstype, String what) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			if ((int) SETNS.invokeExact(errno, fd, nstype) < 0) {
				throw new NativeException("setns " + what, Native.errno(errno));
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** mmap(2) of {@code length} bytes of {@code fd} at {@code offset}; unmap with {@link #munmap}. */
	public static MemorySegment mmap(long length, int prot, int fd, long offset, String what) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			MemorySegment address = (MemorySegment) MMAP.invokeExact(errno, MemorySegment.NULL, length, prot,
					MAP_SHARED, fd, offset);
			if (address.address() == -1L) {
				throw new NativeException("mmap " + what, Native.errno(errno));
			}
			return address.reinterpret(length);
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	public static void munmap(MemorySegment mapping) {
		try {
			int ignored = (int) MUNMAP.invokeExact(mapping, mapping.byteSize());
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** An epoll instance watching {@code fd} for input. */
	public static int epollFor(int fd, String what) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			int epfd = (int) EPOLL_CREATE1.invokeExact(errno, EPOLL_CLOEXEC);
			if (epfd < 0) {
				throw new NativeException("epoll_create1 for " + what, Native.errno(errno));
			}
			try {
				epollAdd(epfd, fd, what);
			} catch (NativeException e) {
				close(epfd);
				throw e;
			}
			return epfd;
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** Adds {@code fd} to the epoll instance {@code epfd}, for reading. */
	public static void epollAdd(int epfd, int fd, String what) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			MemorySegment event = arena.allocate(EPOLL_EVENT_SIZE);
			event.set(JAVA_INT, 0, EPOLLIN);
			if ((int) EPOLL_CTL.invokeExact(errno, epfd, EPOLL_CTL_ADD, fd, event) < 0) {
				throw new NativeException("epoll_ctl add " + what, Native.errno(errno));
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** A non-blocking eventfd(2), close-on-exec: another thread's way to end an epoll_wait. */
	public static int eventFd(String what) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			int fd = (int) EVENTFD.invokeExact(errno, 0, EFD_NONBLOCK | EFD_CLOEXEC);
			if (fd < 0) {
				throw new NativeException("eventfd for " + what, Native.errno(errno));
			}
			return fd;
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** Adds 1 to an eventfd's counter: whoever waits on it in epoll wakes. */
	public static void signal(int eventFd, String what) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			MemorySegment one = arena.allocate(JAVA_LONG);
			one.set(JAVA_LONG, 0, 1L);
			// EAGAIN only when the counter is at its maximum: it is signalled already
			if ((long) WRITE.invokeExact(errno, eventFd, one, 8L) < 0 && Native.errno(errno) != EAGAIN) {
				throw new NativeException("write to the eventfd of " + what, Native.errno(errno));
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * Resets an eventfd's counter, if it was signalled; {@code buffer} holds 8 bytes and
	 * {@code errno} is a {@link Native#errnoSlot}.
	 */
	public static void clearSignal(int eventFd, MemorySegment buffer, MemorySegment errno) {
		try {
			if ((long) READ.invokeExact(errno, eventFd, buffer, 8L) < 0 && Native.errno(errno) != EAGAIN) {
				throw new NativeException("read the eventfd", Native.errno(errno));
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * epoll_wait(2) for one event; {@code events} must hold {@link #EPOLL_EVENT_SIZE} bytes and
	 * {@code errno} be a {@link Native#errnoSlot}. Returns the ready count, 0 on timeout or EINTR.
	 */
	public static int epollWait(int epfd, MemorySegment events, MemorySegment errno, int timeoutMillis) {
		try {
			int n = (int) EPOLL_WAIT.invokeExact(errno, epfd, events, 1, timeoutMillis);
			if (n < 0) {
				int err = Native.errno(errno);
				if (err == Errno.EINTR) {
					return 0;
				}
				throw new NativeException("epoll_wait", err);
			}
			return n;
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** Renders a printf format with its {@code va_list} (as received by a C callback). */
	public static String vformat(MemorySegment format, MemorySegment vaList) {
		try (Arena arena = Arena.ofConfined()) {
			// vsnprintf consumes the va_list, so there is one attempt: libbpf's lines fit in 4 KiB
			// except verifier logs, which libbpf passes as a single "%s": 256 KiB keeps the end of
			// most, where the verifier says why it refused (a log is printed only on a failure).
			long size = 256 * 1024;
			MemorySegment buffer = arena.allocate(size);
			int n = (int) VSNPRINTF.invokeExact(buffer, size, format, vaList);
			return n < 0 ? format.reinterpret(Long.MAX_VALUE).getString(0) : buffer.getString(0);
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** Index → name of every interface in the calling thread's network namespace. */
	public static java.util.Map<Integer, String> interfaceNames() {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			MemorySegment list = (MemorySegment) IF_NAMEINDEX.invokeExact(errno);
			if (list.equals(MemorySegment.NULL)) {
				throw new NativeException("if_nameindex", Native.errno(errno));
			}
			try {
				java.util.Map<Integer, String> names = new java.util.TreeMap<>();
				// struct if_nameindex { unsigned int if_index; char *if_name; }, ends with {0, NULL}
				MemorySegment entries = list.reinterpret(Long.MAX_VALUE);
				for (long offset = 0;; offset += 16) {
					int index = entries.get(JAVA_INT, offset);
					MemorySegment name = entries.get(ADDRESS, offset + 8);
					if (index == 0 && name.equals(MemorySegment.NULL)) {
						return names;
					}
					names.put(index, name.reinterpret(64).getString(0));
				}
			} finally {
				IF_FREENAMEINDEX.invokeExact(list);
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}
}
