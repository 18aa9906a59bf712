package io.tracepackets.internal.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class BtfTest {

	/** A base BTF with int, struct sk_buff and a pointer to it, like vmlinux's core. */
	private static final class Base {
		final BtfWriter writer = new BtfWriter();
		final int intType = writer.addInt("int", 4);
		final int skb = writer.addStruct(BtfKind.STRUCT, "sk_buff", 224, "len", intType);
		final int skbPtr = writer.addPtr(skb);
		final int sock = writer.addStruct(BtfKind.STRUCT, "sock", 64, "sk_rcvbuf", intType);
		final int sockPtr = writer.addPtr(sock);
	}

	@Test
	void should_map_enum_values_to_names_in_declaration_order() {
		// GIVEN
		BtfWriter writer = new BtfWriter();
		writer.addEnum("skb_drop_reason", false,
				"SKB_NOT_DROPPED_YET", 0, "SKB_CONSUMED", 1, "SKB_DROP_REASON_NOT_SPECIFIED", 2, "SKB_DROP_REASON_NO_SOCKET", 3);
		Btf btf = Btf.parse(writer.build());

		// WHEN
		Map<Long, String> values = btf.enumValues("skb_drop_reason");

		// THEN
		assertThat(values).containsExactly(entry(0L, "SKB_NOT_DROPPED_YET"), entry(1L, "SKB_CONSUMED"),
				entry(2L, "SKB_DROP_REASON_NOT_SPECIFIED"), entry(3L, "SKB_DROP_REASON_NO_SOCKET"));
	}

	@Test
	void should_read_signed_unsigned_and_64_bit_enumerators() {
		// GIVEN
		BtfWriter writer = new BtfWriter();
		writer.addEnum("signed_one", true, "MINUS_ONE", -1);
		writer.addEnum("unsigned_one", false, "MASK", 0xffff0000);
		writer.addEnum64("wide", "BIG", 0x1_0000_0002L);
		Btf btf = Btf.parse(writer.build());

		// WHEN
		Map<Long, String> signed = btf.enumValues("signed_one");
		Map<Long, String> unsigned = btf.enumValues("unsigned_one");
		Map<Long, String> wide = btf.enumValues("wide");

		// THEN
		assertThat(signed).containsExactly(entry(-1L, "MINUS_ONE"));
		assertThat(unsigned).containsExactly(entry(0xffff0000L, "MASK"));
		assertThat(wide).containsExactly(entry(0x1_0000_0002L, "BIG"));
	}

	@Test
	void should_give_no_values_for_an_enum_the_kernel_lacks() {
		// GIVEN
		Btf btf = Btf.parse(new Base().writer.build());

		// WHEN
		Map<Long, String> values = btf.enumValues("skb_drop_reason");

		// THEN
		assertThat(values).isEmpty();
	}

	@Test
	void should_find_the_first_sk_buff_pointer_parameter_position() {
		// GIVEN
		Base base = new Base();
		BtfWriter w = base.writer;
		w.addFunc("ip_rcv", w.addFuncProto(base.intType, "skb", base.skbPtr, "dev", base.intType));
		w.addFunc("ip_output", w.addFuncProto(base.intType, "net", base.intType, "sk", base.sockPtr, "skb", base.skbPtr));
		w.addFunc("two_skbs", w.addFuncProto(0, "a", base.intType, "first", base.skbPtr, "second", base.skbPtr));
		w.addFunc("no_skb", w.addFuncProto(0, "sk", base.sockPtr));
		Btf btf = Btf.parse(w.build());

		// WHEN
		var functions = btf.skbFunctions(null);

		// THEN
		assertThat(functions).containsExactly(
				new SkbFunction("ip_output", 3, null),
				new SkbFunction("ip_rcv", 1, null),
				new SkbFunction("two_skbs", 2, null));
	}

	@Test
	void should_see_sk_buff_pointers_through_typedefs_and_qualifiers() {
		// GIVEN
		Base base = new Base();
		BtfWriter w = base.writer;
		int constSkb = w.addConst(base.skb);
		int volatileConstSkb = w.addVolatile(constSkb);
		int taggedSkb = w.addTypeTag("rcu", base.skb);
		int typedefSkb = w.addTypedef("skb_t", base.skb);
		int typedefPtr = w.addTypedef("skb_ptr_t", base.skbPtr);
		int constPtr = w.addConst(base.skbPtr);
		w.addFunc("via_const", w.addFuncProto(0, "skb", w.addPtr(constSkb)));
		w.addFunc("via_volatile_const", w.addFuncProto(0, "x", base.intType, "skb", w.addPtr(volatileConstSkb)));
		w.addFunc("via_type_tag", w.addFuncProto(0, "skb", w.addPtr(taggedSkb)));
		w.addFunc("via_typedef_struct", w.addFuncProto(0, "skb", w.addPtr(typedefSkb)));
		w.addFunc("via_typedef_pointer", w.addFuncProto(0, "a", base.intType, "b", base.intType, "skb", typedefPtr));
		w.addFunc("via_const_pointer", w.addFuncProto(0, "skb", constPtr));
		Btf btf = Btf.parse(w.build());

		// WHEN
		var functions = btf.skbFunctions(null);

		// THEN
		assertThat(functions).extracting(SkbFunction::name, SkbFunction::skbArgPosition).containsExactlyInAnyOrder(
				tuple("via_const", 1),
				tuple("via_volatile_const", 2),
				tuple("via_type_tag", 1),
				tuple("via_typedef_struct", 1),
				tuple("via_typedef_pointer", 3),
				tuple("via_const_pointer", 1));
	}

	@Test
	void should_not_count_double_pointers_values_or_sixth_arguments_as_skb_parameters() {
		// GIVEN
		Base base = new Base();
		BtfWriter w = base.writer;
		int i = base.intType;
		w.addFunc("double_pointer", w.addFuncProto(0, "pskb", w.addPtr(base.skbPtr)));
		w.addFunc("by_value", w.addFuncProto(0, "skb", base.skb));
		w.addFunc("sixth", w.addFuncProto(0, "a", i, "b", i, "c", i, "d", i, "e", i, "skb", base.skbPtr));
		w.addFunc("fifth", w.addFuncProto(0, "a", i, "b", i, "c", i, "d", i, "skb", base.skbPtr));
		w.addFunc("union_named_sk_buff", w.addFuncProto(0, "u", w.addPtr(w.addStruct(BtfKind.UNION, "sk_buff", 8))));
		w.addFunc("no_params", w.addFuncProto(0));
		Btf btf = Btf.parse(w.build());

		// WHEN
		var functions = btf.skbFunctions(null);

		// THEN
		assertThat(functions).containsExactly(new SkbFunction("fifth", 5, null));
	}

	@Test
	void should_accept_a_forward_declared_sk_buff() {
		// GIVEN
		BtfWriter w = new BtfWriter();
		int fwd = w.addFwd("sk_buff", false);
		w.addFunc("opaque", w.addFuncProto(0, "skb", w.addPtr(fwd)));
		w.addFunc("fwd_union", w.addFuncProto(0, "skb", w.addPtr(w.addFwd("sk_buff", true))));
		Btf btf = Btf.parse(w.build());

		// WHEN
		var functions = btf.skbFunctions(null);

		// THEN
		assertThat(functions).containsExactly(new SkbFunction("opaque", 1, null));
	}

	@Test
	void should_filter_by_name_and_list_a_repeated_static_function_once() {
		// GIVEN
		Base base = new Base();
		BtfWriter w = base.writer;
		int proto = w.addFuncProto(0, "skb", base.skbPtr);
		w.addFunc("tcp_v4_rcv", proto);
		w.addFunc("udp_rcv", proto);
		w.addFunc("udp_rcv", w.addFuncProto(0, "x", base.intType, "skb", base.skbPtr));
		Btf btf = Btf.parse(w.build());

		// WHEN
		var functions = btf.skbFunctions(Pattern.compile("^udp_"));

		// THEN
		assertThat(functions).containsExactly(new SkbFunction("udp_rcv", 1, null));
	}

	@Test
	void should_skip_records_of_every_kind() {
		// GIVEN one record of each kind before the function, so any mis-sized skip would misplace it
		Base base = new Base();
		BtfWriter w = base.writer;
		int arr = w.addArray(base.intType, base.intType, 4);
		w.addStruct(BtfKind.UNION, "u", 8, "a", base.intType, "b", arr);
		w.addEnum("e", false, "A", 1, "B", 2);
		w.addFwd("later", false);
		w.addModifier(BtfKind.RESTRICT, "", base.skbPtr);
		int var = w.addVar("counter", base.intType);
		w.addDatasec(".data", var);
		w.addFloat("double", 8);
		w.addDeclTag("tag", base.sock, 0);
		w.addEnum64("e64", "X", 1L << 40);
		int last = w.addFunc("last", w.addFuncProto(0, "skb", base.skbPtr));
		Btf btf = Btf.parse(w.build());

		// WHEN
		var functions = btf.skbFunctions(null);

		// THEN
		assertThat(functions).containsExactly(new SkbFunction("last", 1, null));
		assertThat(btf.kind(var)).isEqualTo(BtfKind.VAR);
		assertThat(btf.name(var)).isEqualTo("counter");
		assertThat(btf.nextTypeId()).isEqualTo(last + 1);
		assertThat(btf.kind(last)).isEqualTo(BtfKind.FUNC);
	}

	@Test
	void should_continue_type_ids_and_string_offsets_in_split_btf() {
		// GIVEN a module whose function takes vmlinux's sk_buff, and defines its own enum
		Base base = new Base();
		Btf vmlinux = Btf.parse(base.writer.build());
		BtfWriter module = BtfWriter.splitOn(vmlinux);
		int modInt = module.addTypedef("mod_u32", base.intType);
		int modPtr = module.addConst(base.skbPtr);
		module.addFunc("nft_do_chain", module.addFuncProto(modInt, "pkt", base.sockPtr, "skb", modPtr));
		module.addEnum("nft_verdicts", false, "NFT_CONTINUE", -1 & 0xffff);

		// WHEN
		Btf split = Btf.parseSplit(module.build(), vmlinux, "nf_tables");

		// THEN
		assertThat(split.firstTypeId()).isEqualTo(vmlinux.nextTypeId());
		assertThat(modInt).isEqualTo(vmlinux.nextTypeId());
		assertThat(split.name(modInt)).isEqualTo("mod_u32");
		assertThat(split.name(base.skb)).isEqualTo("sk_buff");
		assertThat(split.kind(base.skbPtr)).isEqualTo(BtfKind.PTR);
		assertThat(split.module()).contains("nf_tables");
		assertThat(split.skbFunctions(null)).containsExactly(new SkbFunction("nft_do_chain", 2, "nf_tables"));
		assertThat(split.enumValues("nft_verdicts")).containsExactly(entry(0xffffL, "NFT_CONTINUE"));
		assertThat(vmlinux.skbFunctions(null)).isEmpty();
	}

	@Test
	void should_parse_big_endian_btf() {
		// GIVEN
		Base base = new Base();
		base.writer.addFunc("ip_rcv", base.writer.addFuncProto(0, "skb", base.skbPtr));
		ByteBuffer blob = base.writer.build(ByteOrder.BIG_ENDIAN);

		// WHEN
		Btf btf = Btf.parse(blob);

		// THEN
		assertThat(btf.skbFunctions(null)).containsExactly(new SkbFunction("ip_rcv", 1, null));
	}

	@Test
	void should_not_be_affected_by_later_changes_to_the_callers_buffer() {
		// GIVEN
		Base base = new Base();
		ByteBuffer blob = base.writer.build();
		Btf btf = Btf.parse(blob);

		// WHEN
		blob.clear();
		while (blob.hasRemaining()) {
			blob.put((byte) 0);
		}

		// THEN
		assertThat(btf.name(base.skb)).isEqualTo("sk_buff");
	}

	@Test
	void should_reject_blobs_that_are_not_btf() {
		// GIVEN
		ByteBuffer elf = ByteBuffer.wrap(new byte[] { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
		ByteBuffer truncated = new Base().writer.build();
		truncated.limit(truncated.limit() - 30);

		// WHEN / THEN
		assertThatThrownBy(() -> Btf.parse(elf)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad magic");
		assertThatThrownBy(() -> Btf.parse(truncated)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed BTF");
		assertThatThrownBy(() -> Btf.parse(ByteBuffer.allocate(3))).hasMessageContaining("shorter than a BTF header");
	}
}
