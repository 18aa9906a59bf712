package io.tracepackets.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Netlink sockets through libc: the JDK has no AF_NETLINK. A socket belongs to the network
 * namespace of the thread that created it, so create it on a thread inside the namespace
 * ({@code NetnsRunner}) and read it from any thread.
 */
public final class Netlink {

	public static final int AF_NETLINK = 16;
	public static final int NETLINK_NETFILTER = 12;
	/** rtnetlink: links, addresses, routes. */
	public static final int NETLINK_ROUTE = 0;
	/** nfnetlink's multicast group of nf_tables traces ({@code meta nftrace set 1}). */
	public static final int NFNLGRP_NFTRACE = 9;

	private static final int SOCK_RAW = 3;
	private static final int SOCK_NONBLOCK = 0x800;
	private static final int SOCK_CLOEXEC = 0x80000;
	private static final int SOL_SOCKET = 1;
	private static final int SO_RCVBUF = 8;
	private static final int SO_RCVBUFFORCE = 33;
	private static final int SOL_NETLINK = 270;
	private static final int NETLINK_ADD_MEMBERSHIP = 1;
	private static final int MSG_DONTWAIT = 0x40;
	private static final short NLMSG_ERROR = 2;
	private static final short NLMSG_DONE = 3;
	/** How many empty reads a dump may take before its next part is there (the kernel fills it in recv). */
	private static final int DUMP_EMPTY_READS = 1000;
	/** The largest datagram read: a dump's part, or a trace group's message. */
	private static final int RECEIVE_BYTES = 1 << 16;
	/**
	 * Each thread's {@link Receiver}, allocated once: every test's window dumps the namespace's
	 * tables, and zeroing a fresh 64 KiB each time was a good part of a test's cost before the JIT
	 * compiled the fill. Freed by the GC with its thread.
	 */
	private static final ThreadLocal<Receiver> RECEIVERS = ThreadLocal.withInitial(Receiver::allocate);

	private static final SymbolLookup LIBC = Native.LINKER.defaultLookup();
	private static final MethodHandle SOCKET = Native.downcall(LIBC, "socket",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), true);
	private static final MethodHandle BIND = Native.downcall(LIBC, "bind",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), true);
	private static final MethodHandle SETSOCKOPT = Native.downcall(LIBC, "setsockopt",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), true);
	private static final MethodHandle RECV = Native.downcall(LIBC, "recv",
			FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), true);
	private static final MethodHandle SEND = Native.downcall(LIBC, "send",
			FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), true);

	private Netlink() {
	}

	/**
	 * A non-blocking netlink socket of {@code protocol}, bound, joined to {@code group}, with a
	 * receive buffer of {@code receiveBuffer} bytes (forced past rmem_max where the caller may).
	 */
	public static int openMulticast(int protocol, int group, int receiveBuffer) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			int fd = (int) SOCKET.invokeExact(errno, AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
			if (fd < 0) {
				throw new NativeException("socket(AF_NETLINK, " + protocol + ")", Native.errno(errno));
			}
			try {
				MemorySegment address = arena.allocate(12);
				address.set(JAVA_SHORT, 0, (short) AF_NETLINK);
				if ((int) BIND.invokeExact(errno, fd, address, 12) < 0) {
					throw new NativeException("bind netlink socket", Native.errno(errno));
				}
				MemorySegment value = arena.allocateFrom(JAVA_INT, group);
				if ((int) SETSOCKOPT.invokeExact(errno, fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, value, 4) < 0) {
					throw new NativeException("join netlink group " + group, Native.errno(errno));
				}
				MemorySegment size = arena.allocateFrom(JAVA_INT, receiveBuffer);
				if ((int) SETSOCKOPT.invokeExact(errno, fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4) < 0) {
					int ignored = (int) SETSOCKOPT.invokeExact(errno, fd, SOL_SOCKET, SO_RCVBUF, size, 4);
				}
				return fd;
			} catch (Throwable t) {
				Libc.close(fd);
				throw t;
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** A non-blocking netlink socket of {@code protocol}, bound, for requests (no group). */
	public static int openRequests(int protocol) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			int fd = (int) SOCKET.invokeExact(errno, AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
			if (fd < 0) {
				throw new NativeException("socket(AF_NETLINK, " + protocol + ")", Native.errno(errno));
			}
			MemorySegment address = arena.allocate(12);
			address.set(JAVA_SHORT, 0, (short) AF_NETLINK);
			if ((int) BIND.invokeExact(errno, fd, address, 12) < 0) {
				int error = Native.errno(errno);
				Libc.close(fd);
				throw new NativeException("bind netlink socket", error);
			}
			return fd;
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * Sends {@code message} (one or more netlink messages) and returns the error codes of the
	 * acknowledgements the kernel queued for it: the kernel handles a netfilter request, batches
	 * included, within the send, so they are there when it returns.
	 *
	 * @return each NLMSG_ERROR's code, in order: 0 for success, else a negative errno
	 */
	public static List<Integer> request(int fd, byte[] message, String what) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment errno = Native.errnoSlot(arena);
			send(arena, errno, fd, message, what);
			List<Integer> codes = new ArrayList<>();
			MemorySegment reply = arena.allocate(1 << 16);
			while (true) {
				int length = receive(fd, reply, errno);
				if (length <= 0) {
					return codes;
				}
				for (long at = 0; at + 20 <= length;) {
					int messageLength = reply.get(JAVA_INT, at);
					short type = reply.get(JAVA_SHORT, at + 4);
					if (messageLength < 16) {
						break;
					}
					if (type == NLMSG_ERROR) {
						codes.add(reply.get(JAVA_INT, at + 16));
					}
					at += (messageLength + 3) & ~3;
				}
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** Sends {@code message} whole on {@code fd}; {@link NativeException} naming {@code what} when refused. */
	private static void send(Arena arena, MemorySegment errno, int fd, byte[] message, String what) throws Throwable {
		MemorySegment buffer = arena.allocateFrom(JAVA_BYTE, message);
		long sent = (long) SEND.invokeExact(errno, fd, buffer, (long) message.length, 0);
		if (sent < 0) {
			throw new NativeException(what, Native.errno(errno));
		}
	}

	/**
	 * Sends a dump request and collects the reply's messages up to NLMSG_DONE: each message
	 * whole (header included), in order. The kernel produces a dump's next part while the
	 * socket is read, so a non-blocking socket sees it without waiting but for rare gaps.
	 *
	 * @param fd a socket from {@link #openRequests(int)}
	 * @param message the request, with NLM_F_DUMP
	 * @return the messages, NLMSG_DONE left out
	 */
	public static List<byte[]> dump(int fd, byte[] message, String what) {
		try (Arena arena = Arena.ofConfined()) {
			Receiver receiver = receiver();
			MemorySegment errno = receiver.errno();
			send(arena, errno, fd, message, what);
			List<byte[]> messages = new ArrayList<>();
			MemorySegment reply = receiver.buffer();
			int empty = 0;
			while (true) {
				int length = receive(fd, reply, errno);
				if (length < 0) {
					throw new NativeException(what + ": the reply overflowed the socket", Errno.ENOBUFS);
				}
				if (length == 0) {
					if (++empty > DUMP_EMPTY_READS) {
						throw new NativeException(what + ": the dump did not end", Errno.EAGAIN);
					}
					Thread.onSpinWait();
					continue;
				}
				for (long at = 0; at + 16 <= length;) {
					int messageLength = reply.get(JAVA_INT, at);
					short type = reply.get(JAVA_SHORT, at + 4);
					if (messageLength < 16 || at + messageLength > length) {
						break;
					}
					if (type == NLMSG_DONE) {
						return messages;
					}
					if (type == NLMSG_ERROR) {
						int code = reply.get(JAVA_INT, at + 16);
						if (code != 0) {
							throw new NativeException(what, -code);
						}
					} else {
						messages.add(reply.asSlice(at, messageLength).toArray(JAVA_BYTE));
					}
					at += (messageLength + 3) & ~3;
				}
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * Where the calling thread receives datagrams: a 64 KiB buffer, its native-order view (absolute
	 * reads only: it is shared by everything the thread reads) and the errno slot of the calls.
	 */
	public record Receiver(MemorySegment buffer, ByteBuffer view, MemorySegment errno) {

		private static Receiver allocate() {
			Arena arena = Arena.ofAuto();
			MemorySegment buffer = arena.allocate(RECEIVE_BYTES);
			return new Receiver(buffer, buffer.asByteBuffer().order(ByteOrder.nativeOrder()), Native.errnoSlot(arena));
		}
	}

	/** The calling thread's {@link Receiver}. */
	public static Receiver receiver() {
		return RECEIVERS.get();
	}

	/**
	 * One datagram, without waiting.
	 *
	 * @return its length; 0 when nothing is queued; -1 when the kernel dropped messages because
	 *     the receive buffer was full (ENOBUFS: the next call reads on)
	 */
	public static int receive(int fd, MemorySegment buffer, MemorySegment errno) {
		try {
			long n = (long) RECV.invokeExact(errno, fd, buffer, buffer.byteSize(), MSG_DONTWAIT);
			if (n >= 0) {
				return (int) n;
			}
			int error = Native.errno(errno);
			return switch (error) {
				case Errno.EAGAIN -> 0;
				case Errno.ENOBUFS -> -1;
				default -> throw new NativeException("recv netlink", error);
			};
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}
}
